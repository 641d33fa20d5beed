// npm run bench [-- t1|t2|admission ...]: runs the benchmarks and prints
// each figure with the ratio to the baseline measured in the same run.
import { benchT1 } from './t1-rest.bench.js';

const fmt = (n: number, d = 1): string => n.toFixed(d);
const only = new Set(process.argv.slice(2));
const want = (name: string): boolean => only.size === 0 || only.has(name);

if (want('t1')) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const r = await benchT1(seconds);
  console.log(`T1 REST validate/migration (${seconds}s, 16 connections, file audit with fsync):`);
  console.log(`  gate:     ${fmt(r.gate.perSecond)} validations/s  p50 ${r.gate.p50ms} ms  p99 ${r.gate.p99ms} ms  (${r.gate.requests} requests)`);
  console.log(`  baseline: ${fmt(r.baseline.perSecond)} req/s  p50 ${r.baseline.p50ms} ms  p99 ${r.baseline.p99ms} ms  (bare node:http, fixed body)`);
  console.log(`  ratio gate/baseline: ${fmt(r.ratio, 3)}`);
}
