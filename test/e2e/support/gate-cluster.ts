// A real control plane (etcd + kube-apiserver), the real gate as a local
// process, and the chart installed with `helm install` in url mode pointing
// the ValidatingWebhookConfiguration at that gate. Shared by the e2e tests
// that need the whole path kubectl -> apiserver -> webhook -> gate.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../harness/control-plane.js';
import type { RunResult } from '../harness/exec.js';
import {
  EXAMPLES_DIR,
  REPO_ROOT,
  startLocalGate,
  type LocalGate,
  type LocalGateOptions,
} from './local-gate.js';

export const RELEASE = 'migration-gate';
export const RELEASE_NAMESPACE = 'migration-gate';
export const CHART_DIR = path.join(REPO_ROOT, 'charts/migration-gate');
export const K8S_EXAMPLES_DIR = path.join(EXAMPLES_DIR, 'k8s');

export interface GateCluster {
  cp: ControlPlane;
  gate: LocalGate;
  /** The `helm install` result (stdout/stderr for assertions and error messages). */
  install: RunResult;
  stop(): Promise<void>;
}

export interface GateClusterOptions {
  gate?: LocalGateOptions;
  /** Extra `helm install` arguments (e.g. ['--set', 'webhook.timeoutSeconds=5']). */
  helmArgs?: string[];
  /** kube-apiserver options, e.g. apiserverArgs with --admission-control-config-file. */
  controlPlane?: ControlPlaneOptions;
}

/** `helm install` arguments for url mode against a local gate. */
export function helmInstallArgs(
  gate: Pick<LocalGate, 'webhookUrl' | 'caBundle'>,
  extra: string[] = [],
): string[] {
  return [
    'install',
    RELEASE,
    CHART_DIR,
    '-n',
    RELEASE_NAMESPACE,
    '--create-namespace',
    // No scheduler, no kubelet: hook Jobs and pods never run, so hooks and
    // --wait would only hang. The objects themselves are all created.
    '--no-hooks',
    '--set',
    `webhook.url=${gate.webhookUrl}`,
    '--set',
    `webhook.caBundle=${gate.caBundle}`,
    '--set',
    'audit.sink=file',
    ...extra,
  ];
}

export async function startGateCluster(opts: GateClusterOptions = {}): Promise<GateCluster> {
  // Independent: start both at once (each takes a few seconds).
  const [cpR, gateR] = await Promise.allSettled([
    startControlPlane(opts.controlPlane),
    startLocalGate(opts.gate),
  ]);
  if (cpR.status === 'rejected' || gateR.status === 'rejected') {
    if (cpR.status === 'fulfilled') await cpR.value.stop();
    if (gateR.status === 'fulfilled') await gateR.value.stop();
    throw cpR.status === 'rejected' ? cpR.reason : (gateR as PromiseRejectedResult).reason;
  }
  const cp = cpR.value;
  const gate = gateR.value;
  const stop = async () => {
    await gate.stop();
    await cp.stop();
  };
  try {
    const install = await cp.helm(helmInstallArgs(gate, opts.helmArgs));
    if (install.code !== 0)
      throw new Error(
        `helm ${helmInstallArgs(gate, opts.helmArgs).join(' ')} failed:\n${install.stderr}\n${install.stdout}`,
      );
    // The CRD must be served before MigrationRequests can be applied.
    const wait = await cp.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/migrationrequests.migrationgate.io',
    ]);
    if (wait.code !== 0) throw new Error(`CRD not established: ${wait.stderr}`);
    return { cp, gate, install, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The examples' artifact URLs (file:///artifacts/..., the in-cluster mount) rewritten to the repo's examples/ dir. */
export function localArtifacts(manifest: string): string {
  return manifest.replaceAll('file:///artifacts/', `file://${EXAMPLES_DIR}/`);
}

export interface ExampleCase {
  file: string;
  /** Full path. */
  path: string;
  text: string;
  decision: 'ALLOW' | 'BLOCK';
  rule?: string;
  warns?: string;
  kind: string;
  name: string;
  namespace: string;
}

/** Every examples/k8s/*.yaml with a `# expect:` line (namespace.yaml has none). */
export function exampleCases(): ExampleCase[] {
  return readdirSync(K8S_EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) => {
      const full = path.join(K8S_EXAMPLES_DIR, file);
      const text = readFileSync(full, 'utf8');
      const m = /^# expect: (ALLOW|BLOCK)(?: \[([a-z0-9-]+)\])?$/m.exec(text);
      if (!m) return [];
      const warns = /^# warns: \[([a-z0-9-]+)\]$/m.exec(text)?.[1];
      const obj = parseYaml(text) as { kind: string; metadata: { name: string; namespace: string } };
      return [
        {
          file,
          path: full,
          text,
          decision: m[1] as 'ALLOW' | 'BLOCK',
          ...(m[2] ? { rule: m[2] } : {}),
          ...(warns ? { warns } : {}),
          kind: obj.kind,
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
        },
      ];
    });
}

/** Runs fn over items with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Mocha hooks shared by the gate e2e files: stop the cluster after the
 * suite, and print the tail of the gate's log first when a test failed.
 */
export function stopClusterAfterSuite(cluster: () => GateCluster | undefined): void {
  let failed = false;
  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });
  after(async () => {
    const cl = cluster();
    if (failed && cl) {
      process.stderr.write(`--- gate log tail (${cl.gate.logPath}) ---\n${await cl.gate.logTail(30)}\n`);
    }
    await cl?.stop();
  });
}
