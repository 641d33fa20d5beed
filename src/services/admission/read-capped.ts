// Small artifacts (a signed manifest, a signature, an app config) are read
// whole, but never past their own limit: the artifact source's cap is the
// snapshot's, far too large for them.
import { GateError } from '../../core/errors.js';
import type { ByteSource } from '../../core/ports/artifacts.js';

/** Throws GateError 'payload-too-large' past `limit`; stops (and closes the stream) once `signal` aborts. */
export async function readCapped(
  source: ByteSource,
  limit: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (source.size !== undefined && source.size > limit) {
    // Close it unread: opening may already hold a file descriptor or a socket.
    await source.stream[Symbol.asyncIterator]().return?.();
    throw new GateError('payload-too-large', `${source.name} is ${source.size} bytes; the limit is ${limit}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of source.stream) {
    signal?.throwIfAborted();
    total += c.byteLength;
    if (total > limit)
      throw new GateError('payload-too-large', `${source.name} is larger than ${limit} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks, total);
}
