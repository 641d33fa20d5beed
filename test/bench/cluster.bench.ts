// Cluster benchmark: ConfigMap creates through a real kube-apiserver, measured
// as the client sees them (open loop at fixed rates, fixed-rate.ts), in an
// enforced namespace, four ways in the same run on the same cluster:
//   1. no admission check at all (the baseline),
//   2. a built-in ValidatingAdmissionPolicy (CEL inside the apiserver: a
//      ConfigMap with a gated key must carry the manifest; the in-process
//      floor a user could pick instead of a webhook),
//   3. the always-allow webhook floor (allow-floor.ts): the cheapest HTTPS
//      webhook on the gate's path (Service -> pods of the same image), what
//      any webhook adds,
//   4. the gate in pods (the default helm install of the built image), which
//      parses the config, checks hash and signature, runs every policy and
//      makes the audit record durable in a ConfigMap before it answers.
// The figure that matters is the latency each adds over (1). For the gate,
// its own histograms (gate-metrics.ts) say how much of it is spent inside
// the pod and how much in the audit write. BENCH_CLUSTER_GATE_VARIANTS
// ("audit.segmentBytes=32768;audit.segmentBytes=16384") adds a gate phase per
// variant, each a fresh install with those --set values.
import { parse as parseYaml } from 'yaml';
import { startPodCluster, type PodCluster } from '../e2e/harness/node.js';
import {
  ensureGateImage,
  helmInstallDefault,
  importGateImage,
  trustExampleKeyArgs,
} from '../e2e/support/pod-gate.js';
import { exampleCases } from '../e2e/support/gate-cluster.js';
import { runFixedRate } from './fixed-rate.js';
import type { LoadResult } from './load.js';
import { FLOOR_PROBE_PREFIX, installAllowFloor, removeAllowFloor } from './allow-floor.js';
import { delta, scrapeGate, GATE_HISTOGRAMS, type HistogramDelta } from './gate-metrics.js';
import { gatePods } from '../e2e/support/pod-gate.js';
import { RELEASE, RELEASE_NAMESPACE } from '../e2e/support/gate-cluster.js';

export const BENCH_NS = 'bench-enforced';
export const RATES = [20, 100] as const;

export interface ClusterBenchPhase {
  name: string;
  byRate: Record<number, LoadResult>;
  /** Gate phases: the gate's own histograms over each run, by rate then histogram name. */
  inside?: Record<number, Record<string, HistogramDelta>>;
}
export interface ClusterBenchResult {
  seconds: number;
  phases: ClusterBenchPhase[];
}

const GATED_KEYS = ['app-config.yaml', 'app-config.yml', 'app-config.json'];

/** What the gate requires first, in CEL: a gated key means a signed-off manifest must come with it. */
export function manifestPolicy(): object[] {
  const keys = GATED_KEYS.map((k) => `'${k}'`).join(', ');
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: 'bench-manifest-required' },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['configmaps'],
            },
          ],
        },
        validations: [
          {
            expression:
              `!has(object.data) || !object.data.exists(k, k in [${keys}]) || ` +
              `(has(object.metadata.annotations) && 'migrationgate.io/manifest' in object.metadata.annotations) || 'migration_manifest.json' in object.data`,
            message: 'a ConfigMap with a gated key must carry its migrationgate.io/manifest',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'bench-manifest-required' },
      spec: {
        policyName: 'bench-manifest-required',
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'migrationgate.io/enforce': 'true' } } },
      },
    },
  ];
}

/** The signed good example ConfigMap as a JSON create body under a new name. */
function bodyFactory(prefix: string): (i: number) => string {
  const c = exampleCases().find((x) => x.file === 'good-configmap.yaml');
  if (!c) throw new Error('examples/k8s/good-configmap.yaml missing');
  return (i) => {
    const text = c.text
      .replace(`name: ${c.name}\n`, `name: ${prefix}-${i}\n`)
      .replace(`namespace: ${c.namespace}\n`, `namespace: ${BENCH_NS}\n`);
    return JSON.stringify(parseYaml(text));
  };
}

async function kubectlOk(cl: PodCluster, args: string[], input?: string): Promise<string> {
  const r = await cl.kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Every create must be answered 201: a refused or failed one would make the latency meaningless. */
function checkAllCreated(phase: string, rate: number, r: LoadResult, expected: number): void {
  if (r.errors > 0 || r.non2xx > 0 || r.requests !== expected) {
    throw new Error(
      `${phase} at ${rate}/s: ${r.requests}/${expected} answered, ${r.errors} errors, statuses ${JSON.stringify(r.statusCounts)}`,
    );
  }
}

export async function benchCluster(
  seconds: number,
  log: (s: string) => void = () => undefined,
): Promise<ClusterBenchResult> {
  const img = await ensureGateImage();
  const cl = await startPodCluster();
  try {
    await importGateImage(cl, img);
    await kubectlOk(cl, ['create', 'namespace', BENCH_NS]);
    await kubectlOk(cl, ['label', 'namespace', BENCH_NS, 'migrationgate.io/enforce=true']);
    const tls = { ca: cl.caPem, cert: cl.admin.certPem, key: cl.admin.keyPem };
    const url = `${cl.server}/api/v1/namespaces/${BENCH_NS}/configmaps`;
    const measure = async (phase: string, gate = false): Promise<ClusterBenchPhase> => {
      const byRate: Record<number, LoadResult> = {};
      const inside: Record<number, Record<string, HistogramDelta>> = {};
      for (const rate of RATES) {
        const ips = gate ? (await gatePods(cl)).map((p) => p.ip) : [];
        const before = gate ? await scrapeGate(ips) : undefined;
        const r = await runFixedRate({
          url,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bodyFactory(`${phase}-${rate}`),
          rate,
          seconds,
          connections: 64,
          timeoutMs: 15_000,
          tls,
        });
        checkAllCreated(phase, rate, r, Math.round(rate * seconds));
        log(`  ${phase} ${rate}/s: p50 ${r.p50ms} ms  p99 ${r.p99ms} ms  (${r.requests} creates)`);
        byRate[rate] = r;
        if (before) {
          const after = await scrapeGate(ips);
          inside[rate] = Object.fromEntries(GATE_HISTOGRAMS.map((n) => [n, delta(before[n]!, after[n]!)]));
          for (const [n, d] of Object.entries(inside[rate]))
            log(
              `    inside the pods, ${n.replace('migration_gate_', '')}: mean ${d.meanMs} ms, p50 <= ${d.p50LeMs} ms, p99 <= ${d.p99LeMs} ms (${d.count})`,
            );
        }
      }
      return { name: phase, byRate, ...(gate ? { inside } : {}) };
    };
    /** A gated key without a manifest (the VAP and the gate deny it), or a name the floor denies. */
    const denied = async (prefix = 'probe-'): Promise<boolean> => {
      const r = await cl.kubectl(['create', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${prefix}${Date.now()}`, namespace: BENCH_NS },
          data: { 'app-config.yaml': 'debug: true\n' },
        }),
      });
      return r.code !== 0;
    };
    const waitFor = async (what: string, want: boolean, prefix?: string) => {
      for (const end = Date.now() + 60_000; Date.now() < end;) {
        if ((await denied(prefix)) === want) return;
        await new Promise((res) => setTimeout(res, 500));
      }
      throw new Error(`${what}: after 60 s a probe is still ${want ? 'admitted' : 'denied'}`);
    };
    const waitDenied = (what: string) =>
      waitFor(`${what} does not deny a gated key without a manifest`, true);

    const phases: ClusterBenchPhase[] = [];
    if (await denied())
      throw new Error('baseline: something already judges ConfigMaps in the bench namespace');
    phases.push(await measure('none'));

    await kubectlOk(
      cl,
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifestPolicy() }),
    );
    await waitDenied('the ValidatingAdmissionPolicy');
    phases.push(await measure('vap'));
    await kubectlOk(cl, [
      'delete',
      'validatingadmissionpolicybinding,validatingadmissionpolicy',
      'bench-manifest-required',
    ]);
    await waitFor('the ValidatingAdmissionPolicy is still enforced after its deletion', false);

    await installAllowFloor(cl, img, 'migrationgate.io/enforce');
    await waitFor('the allow-floor webhook is not in the path', true, FLOOR_PROBE_PREFIX);
    phases.push(await measure('floor'));
    await removeAllowFloor(cl);
    await waitFor('the allow-floor webhook is still called after its deletion', false, FLOOR_PROBE_PREFIX);

    // Default values plus the examples' signing key: the creates are signed prod configs, so every one is an ALLOW.
    // Helm --wait is enough (webhook-ca readiness); the probe only proves the gate judges.
    const variants = (process.env.BENCH_CLUSTER_GATE_VARIANTS ?? '').split(';').filter(Boolean);
    for (const [i, v] of ['', ...variants].entries()) {
      if (i > 0) await helmUninstall(cl);
      const sets = v
        .split(',')
        .filter(Boolean)
        .flatMap((kv) => ['--set', kv]);
      await helmInstallDefault(cl, img, [...trustExampleKeyArgs(), ...sets]);
      await waitDenied('the gate');
      phases.push(await measure(v ? `gate[${v}]` : 'gate', true));
    }
    return { seconds, phases };
  } finally {
    await cl.stop();
  }
}

async function helmUninstall(cl: PodCluster): Promise<void> {
  const r = await cl.helm(['uninstall', RELEASE, '-n', RELEASE_NAMESPACE, '--wait', '--timeout', '3m'], {
    timeoutMs: 240_000,
  });
  if (r.code !== 0) throw new Error(`helm uninstall: ${r.stderr}`);
  // A fresh install per variant: no segments of the previous one to resume.
  await kubectlOk(cl, ['delete', 'namespace', RELEASE_NAMESPACE, '--timeout=120s']);
}

/** Added latency over the no-admission baseline, per rate. */
export function added(r: ClusterBenchResult, phase: string, rate: number): { p50: number; p99: number } {
  const base = r.phases.find((p) => p.name === 'none')?.byRate[rate];
  const x = r.phases.find((p) => p.name === phase)?.byRate[rate];
  if (!base || !x) throw new Error(`no ${phase} at ${rate}/s`);
  return {
    p50: Math.round((x.p50ms - base.p50ms) * 100) / 100,
    p99: Math.round((x.p99ms - base.p99ms) * 100) / 100,
  };
}
