// A deadline for every request body. Node's requestTimeout is one limit for
// the whole request (30 min on the api port, for multi-GB uploads), so a
// client that sends headers and then nothing (an unauthenticated POST
// /ui/login, say) would hold its socket that long. Every request gets a
// total deadline for its body; a streaming upload switches to a progress
// deadline: it lives as long as bytes keep arriving.
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Deadline {
  mode: 'total' | 'progress';
}

const deadlines = new WeakMap<IncomingMessage, Deadline>();

export function armBodyDeadline(req: IncomingMessage, res: ServerResponse, ms: number): void {
  const socket = req.socket;
  const deadline: Deadline = { mode: 'total' };
  deadlines.set(req, deadline);
  let seen = socket.bytesRead;
  const check = (): void => {
    // Not "the response is sent": a route may answer (a refusal, a 429)
    // without reading the body, and the unread rest would hold the socket.
    if (req.complete || socket.destroyed) return;
    if (deadline.mode === 'progress') {
      // Bytes arrived, or bytes wait in the request's buffer (the gate is the
      // slow one, and TCP backpressure stops the client): not the client's stall.
      const progressed = socket.bytesRead !== seen || req.readableLength > 0;
      seen = socket.bytesRead;
      if (progressed) {
        timer = setTimeout(check, ms);
        return;
      }
    }
    // The route may still be waiting for the body: answer for it, then close
    // (end() then destroy(), as for a header timeout in listen.ts). Its read
    // fails, and a validate route audits that as a BLOCK.
    if (!res.headersSent && socket.writable) {
      socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () =>
        socket.destroy(),
      );
    } else socket.destroy();
  };
  let timer = setTimeout(check, ms);
  res.once('close', () => {
    if (req.complete || socket.destroyed) clearTimeout(timer);
  });
}

/** A streaming upload: the body deadline becomes an idle one (reset by every byte that arrives). */
export function bodyDeadlineAsProgress(req: IncomingMessage): void {
  const d = deadlines.get(req);
  if (d) d.mode = 'progress';
}
