// Response helpers: JSON, problem+json, and the security headers every
// response carries.
import type { ServerResponse } from 'node:http';
import type { Problem } from './error-map.js';
import { drainBriefly } from './drain.js';

const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

const BASE_ENTRIES = Object.entries(BASE_HEADERS);

export function setSecurityHeaders(res: ServerResponse, tls: boolean): void {
  for (const [k, v] of BASE_ENTRIES) res.setHeader(k, v);
  if (tls) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendProblem(
  res: ServerResponse,
  problem: Problem,
  extra: Record<string, unknown> = {},
): void {
  const text = JSON.stringify({ ...problem, ...extra });
  res.statusCode = problem.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  // A request whose body was not read must not poison a keep-alive connection.
  if (!res.req.complete) res.setHeader('Connection', 'close');
  res.end(text);
}

/** sendProblem once a small unread body has been read (drain.ts): the client sees the answer, not a reset. */
export async function answerProblem(
  res: ServerResponse,
  problem: Problem,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await drainBriefly(res.req);
  sendProblem(res, problem, extra);
}
