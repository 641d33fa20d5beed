// Server mode of `validate replication` with progress: the multipart body
// is streamed to the gate through a counter, so the bar shows the bytes the
// socket actually took (the gate verifies as they arrive, so upload progress
// is verification progress).
import { GateError } from '../core/errors.js';
import type { RemoteOptions } from './remote.js';

export async function postMultipartWithProgress(
  opts: RemoteOptions,
  path: string,
  parts: Array<{ name: string; filename: string; bytes: Uint8Array }>,
  onProgress: (sent: number, total: number) => void,
): Promise<{ status: number; body: unknown }> {
  const form = new FormData();
  for (const p of parts) form.append(p.name, new Blob([p.bytes]), p.filename);
  // Serialise the form once to learn its content type and length, then stream it through the counter.
  const encoded = new Response(form);
  const type = encoded.headers.get('content-type') ?? 'multipart/form-data';
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  const total = bytes.byteLength;
  const chunk = 256 * 1024;
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) {
        controller.close();
        return;
      }
      const next = bytes.subarray(sent, Math.min(total, sent + chunk));
      sent += next.byteLength;
      controller.enqueue(next);
      onProgress(sent, total);
    },
  });
  const headers: Record<string, string> = { 'content-type': type, 'content-length': String(total) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.server), {
      method: 'POST',
      body,
      headers,
      duplex: 'half',
    } as RequestInit);
  } catch (e) {
    throw new GateError(
      'artifact-unavailable',
      `cannot reach ${opts.server}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new GateError('internal', `the server answered ${res.status} with a body that is not JSON`);
  }
}
