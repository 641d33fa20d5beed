// Reads a request body into memory under a byte limit. Only for small bodies
// (JSON); uploads are streamed by multipart.ts.
import type { IncomingMessage } from 'node:http';
import { GateError } from '../../core/errors.js';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new GateError('payload-too-large', `request body is ${declared} bytes; the limit is ${limit}`);
  }
  return collect(req, limit);
}

/**
 * Events rather than `for await`: the async iterator costs a promise and a
 * microtask round per chunk, a visible share of a small admission request.
 */
function collect(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    function onData(chunk: Buffer): void {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        req.resume();
        reject(new GateError('payload-too-large', `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    }
    function onEnd(): void {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    }
    // Node reports a client that goes away mid-body as an 'error' ("aborted",
    // ECONNRESET) before 'close': either way it is a malformed request the
    // route answers and audits as a BLOCK, like an aborted multipart upload,
    // not an unexpected error (an unaudited 500).
    function onError(): void {
      cleanup();
      reject(new GateError('bad-request', 'the client stopped sending mid-body'));
    }
    function onClose(): void {
      // Closed before 'end': the client went away mid-body.
      cleanup();
      reject(
        new GateError(
          'bad-request',
          'the client stopped sending mid-body (closed the connection before the body was complete)',
        ),
      );
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** `application/json; charset=utf-8` -> `application/json`. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
