// A thin wrapper over autocannon that returns the figures we report.
import autocannon, { type Request } from 'autocannon';

export interface LoadResult {
  requests: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  non2xx: number;
  statusCounts: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Different bodies, one per request in turn (cycled); instead of `body`. */
  bodies?: readonly string[];
  seconds: number;
  connections: number;
  /** Fixed rate in requests/s for the whole run (all connections); unset = as fast as possible. */
  overallRate?: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const requests = o.bodies
    ? [{ setupRequest: (req: Request): Request => ({ ...req, body: o.bodies![next++ % o.bodies!.length]! }) }]
    : undefined;
  const r = await autocannon({
    url: o.url,
    method: o.method ?? 'GET',
    headers: o.headers,
    body: o.body,
    duration: o.seconds,
    ...(requests ? { requests } : {}),
    connections: o.connections,
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
  });
  const statusCounts: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.statusCodeStats ?? {}))
    statusCounts[k] = (v as { count: number }).count;
  return {
    requests: r.requests.total,
    perSecond: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    statusCounts,
  };
}
