// The gate as users run it: the image `npm run image` builds, imported into
// the e2e node's containerd, and the chart installed with `helm install`
// (default values; only image.repository/tag/pullPolicy point at the
// imported image). Shared by the real-pod e2e files and the cluster bench.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../harness/exec.js';
import type { PodCluster } from '../harness/node.js';
import { CHART_DIR, RELEASE, RELEASE_NAMESPACE } from './gate-cluster.js';
import { REPO_ROOT } from './local-gate.js';

export const IMAGE_TAR = path.join(REPO_ROOT, 'dist/image/migration-gate-oci.tar');

export interface GateImage {
  tar: string;
  /** e.g. migration-gate:0.1.0 */
  ref: string;
  repository: string;
  tag: string;
}

let built: Promise<GateImage> | undefined;

/** `npm run image` (it reuses its own cache when nothing changed); fails loudly, never skips. */
export function ensureGateImage(): Promise<GateImage> {
  built ??= (async () => {
    const r = await run('npm', ['run', '--silent', 'image'], { cwd: REPO_ROOT, timeoutMs: 20 * 60_000 });
    if (r.code !== 0)
      throw new Error(
        `npm run image failed (exit ${r.code}):\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`,
      );
    const ref = /^IMAGE_REF=(\S+)$/m.exec(r.stdout)?.[1];
    if (!ref) throw new Error(`npm run image printed no IMAGE_REF=:\n${r.stdout}`);
    const i = ref.lastIndexOf(':');
    return { tar: IMAGE_TAR, ref, repository: ref.slice(0, i), tag: ref.slice(i + 1) };
  })();
  built.catch(() => (built = undefined));
  return built;
}

/** Imports the image and makes sure the CRI finds it under the name a pod spec uses (docker.io/library/<repo>:<tag>). */
export async function importGateImage(cl: PodCluster, img: GateImage): Promise<void> {
  await cl.importImage(img.tar);
  const full = img.repository.includes('/') ? img.ref : `docker.io/library/${img.ref}`;
  const names = (await cl.ctr(['images', 'ls', '-q'])).stdout.split('\n').map((s) => s.trim());
  if (names.includes(full)) return;
  const imported = names.find((n) => n === img.ref || n.endsWith(`/${img.ref}`));
  if (!imported)
    throw new Error(`image ${img.ref} not found in containerd after import; images: ${names.join(', ')}`);
  const t = await cl.ctr(['images', 'tag', imported, full]);
  if (t.code !== 0) throw new Error(`ctr images tag ${imported} ${full}: ${t.stderr}`);
}

/** The examples are signed with examples/keys; a default install pins no key (and refuses them). */
export function trustExampleKeyArgs(): string[] {
  return [
    '--set-file',
    `keys.files.example-ed25519\\.pub\\.pem=${path.join(REPO_ROOT, 'examples/keys/trusted/example-ed25519.pub.pem')}`,
  ];
}

/** The only values a default install overrides: where the image is. */
export function imageArgs(img: GateImage): string[] {
  return [
    '--set',
    `image.repository=${img.repository}`,
    '--set',
    `image.tag=${img.tag}`,
    '--set',
    'image.pullPolicy=IfNotPresent',
  ];
}

export async function helmInstallDefault(
  cl: PodCluster,
  img: GateImage,
  extra: string[] = [],
): Promise<string> {
  const args = [
    'install',
    RELEASE,
    CHART_DIR,
    '-n',
    RELEASE_NAMESPACE,
    '--create-namespace',
    ...imageArgs(img),
    '--wait',
    '--timeout',
    '5m',
    ...extra,
  ];
  const r = await cl.helm(args, { timeoutMs: 6 * 60_000 });
  if (r.code !== 0) {
    const pods = await cl.kubectl(['get', 'pods', '-A', '-o', 'wide']);
    const desc = await cl.kubectl(['describe', 'pods', '-n', RELEASE_NAMESPACE]);
    throw new Error(
      `helm ${args.join(' ')} failed:\n${r.stderr}\n${pods.stdout}\n${desc.stdout.slice(-6000)}\n${await cl.logTails(20)}`,
    );
  }
  return r.stdout;
}

export interface PodInfo {
  name: string;
  ip: string;
  ready: boolean;
  restarts: number;
  node: string;
  image: string;
  uid: string;
}

export async function gatePods(cl: PodCluster): Promise<PodInfo[]> {
  const r = await cl.kubectl([
    'get',
    'pods',
    '-n',
    RELEASE_NAMESPACE,
    '-l',
    'app.kubernetes.io/component=webhook',
    '-o',
    'json',
  ]);
  if (r.code !== 0) throw new Error(`get pods: ${r.stderr}`);
  interface P {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    spec: { nodeName?: string; containers: { image: string }[] };
    status: {
      podIP?: string;
      conditions?: { type: string; status: string }[];
      containerStatuses?: { restartCount: number }[];
    };
  }
  return (JSON.parse(r.stdout) as { items: P[] }).items
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => ({
      name: p.metadata.name,
      uid: p.metadata.uid,
      ip: p.status.podIP ?? '',
      node: p.spec.nodeName ?? '',
      image: p.spec.containers[0]?.image ?? '',
      ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      restarts: (p.status.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0),
    }));
}

export interface SegmentRecord {
  writer: string;
  decision?: string;
  subject?: { kind?: string; name?: string; namespace?: string; operation?: string };
  [k: string]: unknown;
}

/** Every audit record in the release namespace's segment ConfigMaps, read as the admin. */
export async function segmentRecords(cl: PodCluster): Promise<SegmentRecord[]> {
  const r = await cl.kubectl([
    'get',
    'configmaps',
    '-n',
    RELEASE_NAMESPACE,
    '-l',
    'migrationgate.io/audit-segment=true',
    '-o',
    'json',
  ]);
  if (r.code !== 0) throw new Error(`get segments: ${r.stderr}`);
  const items = (
    JSON.parse(r.stdout) as {
      items: { metadata: { labels?: Record<string, string> }; data?: Record<string, string> }[];
    }
  ).items;
  return items.flatMap((cm) => {
    const writer = cm.metadata.labels?.['migrationgate.io/writer'] ?? '';
    return (cm.data?.['records.jsonl'] ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const e = JSON.parse(l) as Record<string, unknown>;
        const rec = (e.record ?? e) as Record<string, unknown>;
        return { ...rec, writer } as SegmentRecord;
      });
  });
}

/** The API token the chart generated (Secret <release>-api-token, key `token`). */
export async function apiToken(cl: PodCluster): Promise<string> {
  const r = await cl.kubectl([
    'get',
    'secret',
    `${RELEASE}-api-token`,
    '-n',
    RELEASE_NAMESPACE,
    '-o',
    'jsonpath={.data.token}',
  ]);
  if (r.code !== 0 || !r.stdout) throw new Error(`api token secret: ${r.stderr}`);
  return Buffer.from(r.stdout, 'base64').toString('utf8');
}

export const imageVersion = (): string =>
  (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
