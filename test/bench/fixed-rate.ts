// An open-loop load generator: requests leave on a fixed schedule (one every
// 1000/rate ms) whether or not earlier ones were answered, so a server that
// stalls is charged for the requests queued behind the stall (no
// "coordinated omission"). Each latency runs from when the request was
// handed to the client: waiting for a free keep-alive socket (a server too
// slow to free one) counts, the generator's own timer lateness does not.
//
// Why not autocannon's overallRate: it lets each connection send its share
// of a second back to back at the start of that second and then idle, so a
// "200/s" run is really bursts at full speed, and its p99 measures the burst.
import http from 'node:http';
import https from 'node:https';
import type { LoadResult } from './load.js';

export interface FixedRateOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** The body of request i (cycled); one body for all when a single value. */
  body?: string | Buffer | ((i: number) => string | Buffer);
  rate: number;
  seconds: number;
  /** Keep-alive sockets to open at most. */
  connections: number;
  /** A request unanswered after this long counts as an error. */
  timeoutMs?: number;
  /** Client certificate and CA for https (e.g. a kube-apiserver); default: no client cert, any server cert. */
  tls?: { ca: string; cert: string; key: string };
}

export async function runFixedRate(o: FixedRateOptions): Promise<LoadResult> {
  const target = new URL(o.url);
  const secure = target.protocol === 'https:';
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        maxSockets: o.connections,
        ...(o.tls ?? { rejectUnauthorized: false }),
      })
    : new http.Agent({ keepAlive: true, maxSockets: o.connections });
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let non2xx = 0;
  const start = performance.now() + 20;
  const inFlight: Array<Promise<void>> = [];

  const fire = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const sent = performance.now();
      const body = typeof o.body === 'function' ? o.body(i) : o.body;
      const req = (secure ? https : http).request(
        target,
        { method: o.method ?? 'GET', headers: o.headers, agent, timeout: o.timeoutMs ?? 10_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - sent);
            const code = String(res.statusCode ?? 0);
            statusCounts[code] = (statusCounts[code] ?? 0) + 1;
            if (!res.statusCode || res.statusCode < 200 || res.statusCode > 299) non2xx++;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });

  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) inFlight.push(fire(next++));
      if (next >= total) return resolve();
      setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies.length === 0
      ? NaN
      : Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 100) / 100;
  return {
    requests: latencies.length,
    perSecond: latencies.length / o.seconds,
    p50ms: at(0.5),
    p99ms: at(0.99),
    errors,
    non2xx,
    statusCounts,
  };
}
