// p99 of repeated awaited calls, for the audit read benchmarks.
export const p99 = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;

/** Runs fn `times` times in sequence; the p99 of their durations in ms. */
export async function timeEach(times: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return p99(ms);
}
