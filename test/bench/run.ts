// npm run bench [-- t1|t2|admission|cluster|audit|audit-configmap|audit-sinks ...]: runs the benchmarks and prints
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
  console.log(
    `  gate:     ${fmt(r.gate.perSecond)} validations/s  p50 ${r.gate.p50ms} ms  p99 ${r.gate.p99ms} ms  (${r.gate.requests} requests)`,
  );
  console.log(
    `  baseline: ${fmt(r.baseline.perSecond)} req/s  p50 ${r.baseline.p50ms} ms  p99 ${r.baseline.p99ms} ms  (bare node:http, fixed body)`,
  );
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
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(
    `T2 replication verification (snapshot.tar.gz generated in os.tmpdir(); gzip -1; MB = 10^6 bytes of compressed input; median of ${repeats}):`,
  );
  console.log(`  load average at start: ${load()}`);
  const r = await benchT2({
    gb,
    largeGb,
    repeats,
    pgScale,
    largeRepeats: Number(process.env.BENCH_T2_LARGE_REPEATS ?? 1),
    verifyNodeFlags: process.env.BENCH_T2_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_T2_CPU_PROF}`]
      : [],
    log: (line) => console.log(line),
  });
  for (const s of r.sizes) {
    console.log(
      `  snapshot ${MB(s.snapshot.compressedBytes)} MB compressed, ${MB(s.snapshot.uncompressedBytes)} MB tar, ${s.snapshot.files} files (${s.gunzip.length} run(s)):`,
    );
    console.log(
      `    gunzip only:       ${fmt(s.gunzipMBps)} MB/s wall (${fmt(s.gunzipCpuMBps)} MB per CPU-second)  peak RSS ${MB(s.gunzipPeakRss)} MB`,
    );
    console.log(
      `    verifyReplication: ${fmt(s.verifyMBps)} MB/s wall (${fmt(s.verifyCpuMBps)} MB per CPU-second)  peak RSS ${MB(s.verifyPeakRss)} MB`,
    );
    console.log(
      `    ratio verify/gunzip: ${fmt(s.ratio, 3)} wall, ${fmt(s.verifyCpuMBps / s.gunzipCpuMBps, 3)} per CPU-second (target >= 0.8); peak RSS target < 150 MB`,
    );
  }
  if (typeof r.pg === 'string') console.log(`  pg_verifybackup: ${r.pg}`);
  else {
    for (const p of r.pg) {
      console.log(
        `  real backup (pgbench -s ${pgScale}, ${p.checksums} manifest): ${MB(p.dirBytes)} MB directory, ${MB(p.compressedBytes)} MB tar.gz`,
      );
      console.log(
        `    pg_verifybackup -n <dir>: ${fmt(median(p.pgSeconds), 3)} s   verifyReplication <tar.gz>: ${fmt(median(p.oursSeconds), 3)} s   time ratio ours/pg: ${fmt(p.timeRatio, 2)}`,
      );
    }
  }
  console.log(`  load average at end: ${load()}`);
}

if (want('t2') || want('t2-native')) {
  const { benchT2Native } = await import('./t2-native.bench.js');
  console.log(
    `T2 native pg_basebackup directories (PostgreSQL 15, pgbench -s ${process.env.BENCH_T2_NATIVE_SCALE ?? 10}; decompressor and pg_verifybackup 18 on the same backup, one run):`,
  );
  await benchT2Native((l) => console.log(l));
}

if (want('admission')) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const { loadavg } = await import('node:os');
  const r = await benchAdmission(seconds);
  const line = (name: string, l: LoadResult): string =>
    `  ${name.padEnd(34)} ${fmt(l.perSecond).padStart(8)} reviews/s  p50 ${l.p50ms} ms  p99 ${l.p99ms} ms`;
  console.log(
    `Admission: ConfigMap CREATE, 4 KB config, baseline policies, file audit, HTTPS keep-alive (${seconds}s, 16 connections; load average ${loadavg()[0]!.toFixed(2)}):`,
  );
  console.log(line('gate, same ConfigMap (T1 memo):', r.gate));
  console.log(line('gate, a new config every request:', r.gateDistinct));
  console.log(line('baseline (bare node:https):', r.baseline));
  console.log(
    `  ratio gate/baseline: ${fmt(r.ratio, 3)} same ConfigMap, ${fmt(r.ratioDistinct, 3)} new configs (target >= 0.5)`,
  );
  console.log(
    `  open loop at 200 reviews/s: p50 ${r.fixedRate.p50ms} ms  p99 ${r.fixedRate.p99ms} ms same ConfigMap; p50 ${r.fixedRateDistinct.p50ms} ms  p99 ${r.fixedRateDistinct.p99ms} ms new configs (target p99 <= 10 ms)`,
  );
  console.log(
    `  bare node:https under the same open loop: p50 ${r.fixedRateBaseline.p50ms} ms  p99 ${r.fixedRateBaseline.p99ms} ms (this machine's floor)`,
  );
}

if (only.has('cluster')) {
  // Not in the default set: it builds the image, starts a real node and takes ~7 min.
  const { benchCluster, added, RATES } = await import('./cluster.bench.js');
  const { loadavg } = await import('node:os');
  const seconds = Number(process.env.BENCH_CLUSTER_SECONDS ?? 60);
  console.log(
    `Cluster: ConfigMap creates through kube-apiserver, open loop, ${seconds}s per rate, enforced namespace (load average ${loadavg()[0]!.toFixed(2)}):`,
  );
  const r = await benchCluster(seconds, (l) => console.log(l));
  for (const rate of RATES) {
    const base = r.phases.find((p) => p.name === 'none')!.byRate[rate]!;
    const vap = added(r, 'vap', rate);
    const floor = added(r, 'floor', rate);
    console.log(`  ${rate}/s: no webhook p50 ${base.p50ms} ms p99 ${base.p99ms} ms`);
    console.log(`    ValidatingAdmissionPolicy (CEL) adds p50 ${vap.p50} ms  p99 ${vap.p99} ms`);
    console.log(`    always-allow webhook floor adds p50 ${floor.p50} ms  p99 ${floor.p99} ms`);
    for (const phase of r.phases.filter((p) => p.name.startsWith('gate'))) {
      const gate = added(r, phase.name, rate);
      console.log(
        `    ${phase.name} in pods adds ${' '.repeat(Math.max(0, 13 - phase.name.length))}p50 ${gate.p50} ms  p99 ${gate.p99} ms`,
      );
      console.log(
        `      added p99 / VAP added p99: ${vap.p99 > 0 ? fmt(gate.p99 / vap.p99, 2) : 'n/a (the VAP adds nothing measurable)'} (target <= 2); added p99 over the floor's: ${fmt(gate.p99 - floor.p99, 2)} ms; p99 / no-webhook p99: ${fmt(phase.byRate[rate]!.p99ms / base.p99ms, 2)}`,
      );
    }
  }
  console.log(`  load average at end: ${loadavg()[0]!.toFixed(2)}`);
}

if (want('audit')) {
  const { benchAudit } = await import('./audit.bench.js');
  const n = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
  console.log(`Audit log (${n} records, file sink):`);
  const r = await benchAudit(n, (line) => console.log(line));
  const perS = (s: number): string => fmt(r.records / s, 0);
  console.log(
    `  offline verify (chain + Merkle vs signed checkpoint): ${perS(r.verifySeconds)} records/s (${fmt(r.verifySeconds, 2)} s, ok=${r.verifyOk})`,
  );
  console.log(
    `  sha256sum of the same ${fmt(r.bytes / 1e6)} MB: ${perS(r.sha256Seconds)} records/s (${fmt(r.sha256Seconds, 2)} s); ratio verify/sha256sum: ${fmt(r.sha256Seconds / r.verifySeconds, 3)}`,
  );
  const [small, big] = r.reads;
  for (const x of r.reads)
    console.log(
      `  reads on ${x.records} records (open ${fmt(x.openSeconds, 2)} s): p99 page ${fmt(x.pageP99, 2)} ms, since-page ${fmt(x.sinceP99, 2)} ms, decision lookup ${fmt(x.lookupP99, 2)} ms`,
    );
  if (small && big)
    console.log(
      `  ratio p99 ${big.records}/${small.records} records: page ${fmt(big.pageP99 / small.pageP99, 2)}, since ${fmt(big.sinceP99 / small.sinceP99, 2)}, lookup ${fmt(big.lookupP99 / small.lookupP99, 2)} (target p99 <= 50 ms)`,
    );
}

if (want('audit-configmap')) {
  const { benchConfigMapReads } = await import('./configmap-reads.bench.js');
  const n = Number(process.env.BENCH_CM_RECORDS ?? 1_000_000);
  console.log(
    `Audit reads, ConfigMap sink read index (${n} records vs 1,000; apiserver fake, 100 reads each, p99):`,
  );
  const { loadavg } = await import('node:os');
  const [small, big] = await benchConfigMapReads(n);
  for (const r of [small, big]) {
    console.log(
      `  ${r.records} records in ${r.segments} segments: first read ${fmt(r.firstReadMs, 1)} ms (every segment fetched and summarized), page ${fmt(r.pageP99, 2)} ms, since ${fmt(r.sinceP99, 2)} ms, lookup ${fmt(r.lookupP99, 2)} ms (${fmt(r.segmentsReadPerLookup, 2)} segments read per lookup); segment data fetched per page ${r.pageBytes} B, per lookup ${r.lookupBytes} B`,
    );
    console.log(
      `    without the body cache: page ${fmt(r.uncachedPageP99, 2)} ms (${r.uncachedPageBytes} B fetched), lookup ${fmt(r.uncachedLookupP99, 2)} ms (${r.uncachedLookupBytes} B fetched)`,
    );
  }
  console.log(
    `  ratio p99 ${big.records}/${small.records} records: page ${fmt(big.pageP99 / small.pageP99, 2)}, since ${fmt(big.sinceP99 / small.sinceP99, 2)}, lookup ${fmt(big.lookupP99 / small.lookupP99, 2)}; uncached page ${fmt(big.uncachedPageP99 / small.uncachedPageP99, 2)}, lookup ${fmt(big.uncachedLookupP99 / small.uncachedLookupP99, 2)} (target p99 <= 50 ms; load average ${loadavg()[0]!.toFixed(2)})`,
  );
}

if (want('audit-sinks')) {
  const { benchSinks, benchReads } = await import('./audit-sinks.bench.js');
  const { loadavg } = await import('node:os');
  const seconds = Number(process.env.BENCH_AUDIT_SECONDS ?? 60);
  const rate = Number(process.env.BENCH_AUDIT_RATE ?? 1000);
  // BENCH_AUDIT_READS_ONLY=1: only the PostgreSQL reads.
  const r =
    process.env.BENCH_AUDIT_READS_ONLY === '1'
      ? undefined
      : (console.log(
          `Audit sinks: ${rate} decisions/s for ${seconds} s each, open loop, latency from each decision's scheduled time (load average ${loadavg()[0]!.toFixed(2)}):`,
        ),
        await benchSinks(rate, seconds, (l) => console.log(l)));
  if (r) printSinks(r);
  const rows = Number(process.env.BENCH_PG_ROWS ?? 10_000_000);
  console.log(
    `Audit reads on PostgreSQL: ${rows} records vs 1,000 (200 reads each, p99; server = PostgreSQL's execution time, 50 runs):`,
  );
  const reads = await benchReads(rows, (l) => console.log(l));
  for (const k of [
    'pageP99ms',
    'deepPageP99ms',
    'filteredP99ms',
    'emptyComboP99ms',
    'deepFilteredP99ms',
    'ruleP99ms',
    'requestIdP99ms',
    'lookupP99ms',
    'serverPageP99ms',
    'serverDeepPageP99ms',
    'serverFilteredP99ms',
  ] as const) {
    console.log(
      `  ${k.replace('P99ms', '').padEnd(20)} ${fmt(reads.large[k], 2)} ms vs ${fmt(reads.small[k], 2)} ms  ratio ${fmt(reads.large[k] / reads.small[k], 2)}  (target <= 50 ms)`,
    );
  }
}

function printSinks(r: import('./audit-sinks.bench.js').SinkBench): void {
  const row = (
    name: string,
    x: { p50ms: number; p99ms: number; failed: number; decisions: number },
  ): string =>
    `  ${name.padEnd(28)} p50 ${x.p50ms} ms  p99 ${x.p99ms} ms  added p99 ${fmt(x.p99ms - r.baseline.p99ms, 2)} ms  ratio p99/baseline ${fmt(x.p99ms / r.baseline.p99ms, 2)}  failed ${x.failed}/${x.decisions}`;
  console.log(row('memory (baseline)', r.baseline));
  console.log(row('file (fsync)', r.file));
  console.log(`${row('postgres', r.postgres)}  ${fmt(r.postgres.txPerSecond)} tx/s`);
  if (typeof r.configmap === 'string') console.log(`  configmap: ${r.configmap}`);
  else if (r.configmap) {
    console.log(`${row('configmap (real apiserver)', r.configmap)}`);
    console.log(
      `    apiserver writes/s ${fmt(r.configmap.writesPerSecond)} (target <= 100); per 1,000 decisions: ${r.configmap.storedBytesPer1000} bytes stored, ${r.configmap.sentBytesPer1000} bytes sent in writes${r.configmap.etcdDbGrowthPer1000 !== undefined ? `, etcd db growth ${r.configmap.etcdDbGrowthPer1000} bytes` : ''}`,
    );
  }
}
