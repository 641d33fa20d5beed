// Calls a running gate's REST API (for CI jobs that want the audited decision).
import { GateError, describeError } from '../core/errors.js';

export interface RemoteOptions {
  server: string;
  token?: string;
}

export async function postMultipart(opts: RemoteOptions, path: string, parts: Array<{ name: string; filename: string; bytes: Uint8Array }>): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  for (const p of parts) form.append(p.name, new Blob([p.bytes]), p.filename);
  return call(opts, path, { method: 'POST', body: form });
}

export async function getJson(opts: RemoteOptions, path: string): Promise<{ status: number; body: unknown }> {
  return call(opts, path, { method: 'GET' });
}

async function call(opts: RemoteOptions, path: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.server), { ...init, headers });
  } catch (e) {
    throw new GateError('artifact-unavailable', `cannot reach ${opts.server}: ${describeError(e)}`, undefined, { cause: e });
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new GateError('internal', `the server answered ${res.status} with a body that is not JSON`);
  }
}
