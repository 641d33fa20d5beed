import { get as httpGet } from 'node:http';
import { get as httpsGet, type RequestOptions } from 'node:https';

/** GET a URL once; resolves with status and body, never rejects (connection errors are status 0). */
export function probe(url: string, tls: RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { ...tls, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
  });
}

/**
 * Polls `ready` until it returns true. Gives up early when `failed` resolves
 * (the server process died: waiting the full timeout would only hide why).
 */
export async function waitFor(
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  failed?: Promise<unknown>,
): Promise<void> {
  let dead = false;
  void failed?.then(() => (dead = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${what}: process exited`);
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms`);
}
