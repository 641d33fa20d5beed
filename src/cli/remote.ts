// Calls a running gate's REST API (for CI jobs that want the audited
// decision). Every failure is a CliError with the exit code that says what
// kind of failure it was (exit-codes.ts): the token refused is 2, the gate
// unreachable or failing is 3; neither may ever look like a verdict.
import { CliError, EXIT } from './exit-codes.js';

export interface RemoteOptions {
  server: string;
  token?: string;
  /** Per-request limit; the CLI must never hang a pipeline. */
  timeoutMs?: number;
}

export interface RemoteAnswer {
  status: number;
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 120_000;

export async function postMultipart(
  opts: RemoteOptions,
  path: string,
  parts: Array<{ name: string; filename: string; bytes: Uint8Array }>,
): Promise<RemoteAnswer> {
  const form = new FormData();
  for (const p of parts) form.append(p.name, new Blob([p.bytes]), p.filename);
  return call(opts, path, { method: 'POST', body: form });
}

export async function getJson(opts: RemoteOptions, path: string): Promise<RemoteAnswer> {
  return call(opts, path, { method: 'GET' });
}

async function call(opts: RemoteOptions, path: string, init: RequestInit): Promise<RemoteAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let url: URL;
  try {
    url = new URL(path, opts.server);
  } catch {
    throw new CliError(`--server ${JSON.stringify(opts.server)} is not a URL`, EXIT.usage, true);
  }
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      ...init,
      headers,
      signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (e) {
    throw new CliError(`cannot reach ${url.origin}: ${errorText(e)}`, EXIT.unavailable);
  }
  if (res.status === 401 || res.status === 403) {
    // Never echo the token; the problem title says enough.
    throw new CliError(
      `the server refused the credentials (HTTP ${res.status}${problemTitle(text)}); check --token / GATE_API_TOKEN`,
      EXIT.usage,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(
      `the server answered HTTP ${res.status} with a body that is not JSON: is ${url.origin} a migration-gate API port?`,
      EXIT.unavailable,
    );
  }
  if (res.status >= 500)
    throw new CliError(`the server failed (HTTP ${res.status}${problemTitle(text)})`, EXIT.unavailable);
  return { status: res.status, body };
}

function problemTitle(text: string): string {
  try {
    const p = JSON.parse(text) as { title?: unknown; detail?: unknown };
    const t = [p.title, p.detail].filter((x) => typeof x === 'string').join(': ');
    return t ? `: ${t.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
  }
  return String(e);
}
