// Reading the rest of a request before an early answer. A route may refuse
// a request before it has read the body (a wrong part, a bad header); a
// client still uploading (fetch, curl, most HTTP libraries) that finds the
// connection closed under it reports a reset (EPIPE) instead of the answer.
import type { IncomingMessage } from 'node:http';

/**
 * Reads and discards a small unread body before an early error answer, so
 * clients that are still uploading (fetch, most HTTP libraries) see the
 * answer instead of a reset. Large bodies are not drained: the answer goes
 * out with Connection: close.
 */
export async function drainBriefly(req: IncomingMessage, limit = 1024 * 1024, ms = 2000): Promise<void> {
  if (req.complete || req.readableEnded) return;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return;
  await new Promise<void>((resolve) => {
    let seen = 0;
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('error', done);
      resolve();
    }
    function onData(chunk: Buffer): void {
      seen += chunk.length;
      if (seen > limit) done();
    }
    req.on('data', onData);
    req.once('end', done);
    req.once('error', done);
    req.resume();
  });
}
