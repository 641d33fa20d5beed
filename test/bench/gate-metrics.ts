// Where the gate's time goes during a cluster bench run: its own histograms
// (admission_duration_seconds: request in to answer out, inside the pod;
// audit_commit_duration_seconds: until the record was durable in its
// ConfigMap), scraped from every gate pod before and after a run and
// differenced. Means are exact (sum/count); quantiles are the upper bound of
// the bucket they fall in (the gate's buckets), so coarse.
export interface HistogramDelta {
  count: number;
  meanMs: number;
  /** Upper bound of the bucket holding the quantile (ms); Infinity past the last bucket. */
  p50LeMs: number;
  p99LeMs: number;
}

type Raw = { buckets: Map<number, number>; sum: number; count: number };

export function parseHistogram(text: string, name: string): Raw {
  const raw: Raw = { buckets: new Map(), sum: 0, count: 0 };
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (le !== undefined) raw.buckets.set(le === '+Inf' ? Infinity : Number(le), v);
    } else if (line.startsWith(`${name}_sum`)) raw.sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    else if (line.startsWith(`${name}_count`)) raw.count += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return raw;
}

function add(a: Raw, b: Raw): Raw {
  const buckets = new Map(a.buckets);
  for (const [le, v] of b.buckets) buckets.set(le, (buckets.get(le) ?? 0) + v);
  return { buckets, sum: a.sum + b.sum, count: a.count + b.count };
}

export function delta(before: Raw, after: Raw): HistogramDelta {
  const count = after.count - before.count;
  const les = [...after.buckets.keys()].sort((x, y) => x - y);
  const q = (f: number) => {
    for (const le of les)
      if ((after.buckets.get(le) ?? 0) - (before.buckets.get(le) ?? 0) >= f * count) return le * 1000;
    return Infinity;
  };
  return {
    count,
    meanMs: count > 0 ? Math.round(((after.sum - before.sum) / count) * 1e5) / 100 : 0,
    p50LeMs: q(0.5),
    p99LeMs: q(0.99),
  };
}

export const GATE_HISTOGRAMS = [
  'migration_gate_admission_duration_seconds',
  'migration_gate_audit_commit_duration_seconds',
] as const;

/** The gate's histograms summed over the given pod IPs (their open /metrics on the API port). */
export async function scrapeGate(ips: readonly string[]): Promise<Record<string, Raw>> {
  const texts = await Promise.all(ips.map(async (ip) => (await fetch(`http://${ip}:8080/metrics`)).text()));
  return Object.fromEntries(
    GATE_HISTOGRAMS.map((n) => [
      n,
      texts.map((t) => parseHistogram(t, n)).reduce(add, { buckets: new Map(), sum: 0, count: 0 }),
    ]),
  );
}
