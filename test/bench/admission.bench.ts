// Admission benchmark: a ConfigMap CREATE carrying a 4 KB app config, full
// baseline policies and the file audit sink, over HTTPS keep-alive, against a
// bare Node HTTPS server answering a fixed AdmissionReview (same run, same
// load). Twice: the same ConfigMap every time (what re-applies, dry runs and
// GitOps resyncs send, answered from the T1 memo) and a different config in
// every request (every one parsed, scanned and run through every policy).
// The three closed-loop runs are interleaved in 2 s slices and each gate
// slice is divided by the baseline slice beside it (median of the ratios):
// this VM's speed drifts too much for runs a minute apart to compare.
// Then fixed 200 requests/s runs (open loop, fixed-rate.ts) for the p99.
import { createHash } from 'node:crypto';
import { signManifest } from '../support/signed-t1.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runFixedRate } from './fixed-rate.js';
import { runLoad, type LoadResult } from './load.js';
import { median } from './median.js';
import { spawnServer } from './spawn-server.js';

export interface AdmissionBenchResult {
  gate: LoadResult;
  /** Every request carries a config the gate has not seen (no memo hits). */
  gateDistinct: LoadResult;
  baseline: LoadResult;
  ratio: number;
  ratioDistinct: number;
  fixedRate: LoadResult;
  fixedRateDistinct: LoadResult;
  /** The bare server under the same open-loop 200/s: this machine's latency floor. */
  fixedRateBaseline: LoadResult;
}

/** More distinct configs than the T1 memo holds, cycled: every request misses it. */
const DISTINCT_BODIES = 4096;

/** The t1_good config padded with harmless keys to 4 KB, and its manifest; `variant` changes one value. */
export function configMapReview(variant = 0): string {
  let config = readFileSync('examples/t1_good/app-config.yaml', 'utf8');
  config += `build_id: "bench-${variant}"\n`;
  for (let i = 0; Buffer.byteLength(config) < 4096; i++)
    config += `feature_flag_${i}: "enabled-for-cohort-${i}"\n`;
  const manifest = {
    app_id: 'orders-api',
    env: 'prod',
    version: '2026.11.3',
    config_sha256: `sha256:${createHash('sha256').update(config).digest('hex')}`,
  };
  const manifestText = JSON.stringify(manifest);
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // Signed like a real prod rollout (t1-signature-required): the bench measures ALLOWs.
    metadata: {
      name: 'orders-config',
      namespace: 'payments',
      annotations: {
        'migrationgate.io/manifest': manifestText,
        'migrationgate.io/manifest-signature': signManifest(manifestText),
      },
    },
    data: { 'app-config.yaml': config },
  };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'ConfigMap' },
      resource: { group: '', version: 'v1', resource: 'configmaps' },
      requestKind: { group: '', version: 'v1', kind: 'ConfigMap' },
      requestResource: { group: '', version: 'v1', resource: 'configmaps' },
      name: 'orders-config',
      namespace: 'payments',
      operation: 'CREATE',
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  });
}

/** Throughput on this VM drifts by 2x within a minute: the runs are interleaved in slices this long. */
const SLICE_SECONDS = 2;

export async function benchAdmission(seconds = 10, connections = 16): Promise<AdmissionBenchResult> {
  const body = configMapReview();
  const distinct = Array.from({ length: DISTINCT_BODIES }, (_, i) => configMapReview(i + 1));
  const headers = { 'content-type': 'application/json' };
  const gateProc = await spawnServer('test/bench/servers/gate.ts');
  const [, , dataDir, webhookPort] = gateProc.firstLine;
  if (!webhookPort || webhookPort === '0') throw new Error('the gate did not start its webhook listener');
  const url = `https://127.0.0.1:${webhookPort}/validate?timeout=10s`;
  // The baseline serves with the gate's own generated certificate, beside it (idle while the gate is measured).
  const tlsDir = path.join(dataDir!, 'tls');
  const bare = await spawnServer('test/bench/servers/bare-https.ts', {
    BENCH_TLS_KEY: path.join(tlsDir, 'tls.key'),
    BENCH_TLS_CERT: path.join(tlsDir, 'tls.crt'),
  });
  const bareUrl = `https://127.0.0.1:${bare.firstLine[0]}/validate`;
  const run = {
    gate: (s: number) => runLoad({ url, method: 'POST', headers, body, seconds: s, connections }),
    gateDistinct: (s: number) =>
      runLoad({ url, method: 'POST', headers, bodies: distinct, seconds: s, connections }),
    baseline: (s: number) =>
      runLoad({ url: bareUrl, method: 'POST', headers, body, seconds: s, connections }),
  };
  // Warm-up: JIT and the first audit segment, not measured.
  for (const r of Object.values(run)) await r(SLICE_SECONDS);
  const slices = await interleaved(run, Math.max(1, Math.round(seconds / SLICE_SECONDS)));
  const fixedRate = await runFixedRate({
    url,
    method: 'POST',
    headers,
    body,
    seconds,
    connections: 8,
    rate: 200,
  });
  const fixedRateDistinct = await runFixedRate({
    url,
    method: 'POST',
    headers,
    body: (i) => distinct[i % distinct.length]!,
    seconds,
    connections: 8,
    rate: 200,
  });
  const fixedRateBaseline = await runFixedRate({
    url: bareUrl,
    method: 'POST',
    headers,
    body,
    seconds,
    connections: 8,
    rate: 200,
  });
  await gateProc.stop();
  await bare.stop();
  const gate = merged(slices.gate);
  const gateDistinct = merged(slices.gateDistinct);
  const runs = {
    gate,
    'gate (distinct configs)': gateDistinct,
    'fixed-rate': fixedRate,
    'fixed-rate (distinct configs)': fixedRateDistinct,
  };
  for (const [name, r] of Object.entries(runs)) {
    if (r.non2xx > 0 || r.errors > 0)
      throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors: ${JSON.stringify(r.statusCounts)}`);
  }
  return {
    gate,
    gateDistinct,
    baseline: merged(slices.baseline),
    // Each slice against the baseline slice next to it in time, then the median.
    ratio: median(slices.gate.map((g, i) => g.perSecond / slices.baseline[i]!.perSecond)),
    ratioDistinct: median(slices.gateDistinct.map((g, i) => g.perSecond / slices.baseline[i]!.perSecond)),
    fixedRate,
    fixedRateDistinct,
    fixedRateBaseline,
  };
}

type Runs<K extends string> = Record<K, (seconds: number) => Promise<LoadResult>>;

/** `rounds` slices of each run, round by round, the order rotated each round (no run always goes first). */
async function interleaved<K extends string>(
  runs: Runs<K>,
  rounds: number,
): Promise<Record<K, LoadResult[]>> {
  const names = Object.keys(runs) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as LoadResult[]])) as Record<K, LoadResult[]>;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      out[name].push(await runs[name](SLICE_SECONDS));
    }
  }
  return out;
}

/** The slices of one run as one result: counts summed, throughput and latencies the median slice's. */
function merged(slices: readonly LoadResult[]): LoadResult {
  const statusCounts: Record<string, number> = {};
  for (const s of slices)
    for (const [k, v] of Object.entries(s.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  const sum = (f: (s: LoadResult) => number): number => slices.reduce((a, s) => a + f(s), 0);
  return {
    requests: sum((s) => s.requests),
    perSecond: median(slices.map((s) => s.perSecond)),
    p50ms: median(slices.map((s) => s.p50ms)),
    p99ms: median(slices.map((s) => s.p99ms)),
    errors: sum((s) => s.errors),
    non2xx: sum((s) => s.non2xx),
    statusCounts,
  };
}
