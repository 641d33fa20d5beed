// npm run bench [-- t1|t2|admission ...]: runs the benchmarks and prints
// each figure with the ratio to the baseline measured in the same run.
import { benchT1 } from './t1-rest.bench.js';
import { benchAdmission } from './admission.bench.js';
import type { LoadResult } from './load.js';

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

if (want('t2')) {
  const { benchT2, median } = await import('./t2-replication.bench.js');
  const { loadavg } = await import('node:os');
  const gb = Number(process.env.BENCH_T2_GB ?? 1);
  const largeGb = Number(process.env.BENCH_T2_LARGE_GB ?? 4);
  const repeats = Number(process.env.BENCH_T2_REPEATS ?? 3);
  const pgScale = Number(process.env.BENCH_T2_PG_SCALE ?? 20);
  const MB = (b: number): string => fmt(b / 1e6);
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`T2 replication verification (snapshot.tar.gz generated in os.tmpdir(); gzip -1; MB = 10^6 bytes of compressed input; median of ${repeats}):`);
  console.log(`  load average at start: ${load()}`);
  const r = await benchT2({
    gb, largeGb, repeats, pgScale,
    largeRepeats: Number(process.env.BENCH_T2_LARGE_REPEATS ?? 1),
    verifyNodeFlags: process.env.BENCH_T2_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_T2_CPU_PROF}`] : [],
    log: (line) => console.log(line),
  });
  for (const s of r.sizes) {
    console.log(`  snapshot ${MB(s.snapshot.compressedBytes)} MB compressed, ${MB(s.snapshot.uncompressedBytes)} MB tar, ${s.snapshot.files} files (${s.gunzip.length} run(s)):`);
    console.log(`    gunzip only:       ${fmt(s.gunzipMBps)} MB/s wall (${fmt(s.gunzipCpuMBps)} MB per CPU-second)  peak RSS ${MB(s.gunzipPeakRss)} MB`);
    console.log(`    verifyReplication: ${fmt(s.verifyMBps)} MB/s wall (${fmt(s.verifyCpuMBps)} MB per CPU-second)  peak RSS ${MB(s.verifyPeakRss)} MB`);
    console.log(`    ratio verify/gunzip: ${fmt(s.ratio, 3)} wall, ${fmt(s.verifyCpuMBps / s.gunzipCpuMBps, 3)} per CPU-second (target >= 0.8); peak RSS target < 150 MB`);
  }
  if (typeof r.pg === 'string') console.log(`  pg_verifybackup: ${r.pg}`);
  else {
    for (const p of r.pg) {
      console.log(`  real backup (pgbench -s ${pgScale}, ${p.checksums} manifest): ${MB(p.dirBytes)} MB directory, ${MB(p.compressedBytes)} MB tar.gz`);
      console.log(`    pg_verifybackup -n <dir>: ${fmt(median(p.pgSeconds), 3)} s   verifyReplication <tar.gz>: ${fmt(median(p.oursSeconds), 3)} s   time ratio ours/pg: ${fmt(p.timeRatio, 2)}`);
    }
  }
  console.log(`  load average at end: ${load()}`);
}

if (want('t2') || want('t2-native')) {
  const { benchT2Native } = await import('./t2-native.bench.js');
  console.log(`T2 native pg_basebackup directories (PostgreSQL 15, pgbench -s ${process.env.BENCH_T2_NATIVE_SCALE ?? 10}; decompressor and pg_verifybackup 18 on the same backup, one run):`);
  await benchT2Native((l) => console.log(l));
}

if (want('admission')) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const { loadavg } = await import('node:os');
  const r = await benchAdmission(seconds);
  const line = (name: string, l: LoadResult): string => `  ${name.padEnd(34)} ${fmt(l.perSecond).padStart(8)} reviews/s  p50 ${l.p50ms} ms  p99 ${l.p99ms} ms`;
  console.log(`Admission: ConfigMap CREATE, 4 KB config, baseline policies, file audit, HTTPS keep-alive (${seconds}s, 16 connections; load average ${loadavg()[0]!.toFixed(2)}):`);
  console.log(line('gate, same ConfigMap (T1 memo):', r.gate));
  console.log(line('gate, a new config every request:', r.gateDistinct));
  console.log(line('baseline (bare node:https):', r.baseline));
  console.log(`  ratio gate/baseline: ${fmt(r.ratio, 3)} same ConfigMap, ${fmt(r.ratioDistinct, 3)} new configs (target >= 0.5)`);
  console.log(`  open loop at 200 reviews/s: p50 ${r.fixedRate.p50ms} ms  p99 ${r.fixedRate.p99ms} ms same ConfigMap; p50 ${r.fixedRateDistinct.p50ms} ms  p99 ${r.fixedRateDistinct.p99ms} ms new configs (target p99 <= 10 ms)`);
  console.log(`  bare node:https under the same open loop: p50 ${r.fixedRateBaseline.p50ms} ms  p99 ${r.fixedRateBaseline.p99ms} ms (this machine's floor)`);
}
