// Bounded etcd and stable writers against a real kube-apiserver + etcd:
// the segment cap (the gate's ServiceAccount, chart RBAC: no delete), the
// archiver as the real CLI process under its own ServiceAccount (the only
// one that may delete), verification of archive + live, and Lease-held
// writer slots across rollouts. The capped writer signs its tree (seal
// checkpoints on the ConfigMap board) and the archiver reads the board: each
// archived segment carries the checkpoint of exactly its last record.
//
//   npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/audit-bounded.e2e.test.ts
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configMapCheckpointBoard } from '../../src/adapters/audit/configmap-checkpoint-board.js';
import { openConfigMapAuditSink, type SegmentState } from '../../src/adapters/audit/configmap-sink.js';
import { connectKube } from '../../src/adapters/k8s/kube-connection.js';
import { acquireWriterSlot, type WriterSlot } from '../../src/adapters/k8s/writer-slot.js';
import type { AuditSink } from '../../src/core/ports/audit.js';
import type { Logger } from '../../src/core/ports/runtime.js';
import { openCheckpoint } from '../../src/core/tlog/checkpoint.js';
import { verifierFor } from '../../src/core/tlog/signed-note.js';
import { type AuditTrees, withAuditTrees } from '../../src/services/audit/audit-trees.js';
import { verifyAudit } from '../../src/services/audit/read-audit.js';
import { slotGuardedSink } from '../../src/services/audit/slot-guarded-sink.js';
import { treesOver } from '../support/audit-trees.js';
import { report } from '../unit/audit/report-fixture.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';

const NS = 'e2e-bounded';
const SEGMENTS = 'migrationgate.io/audit-segment=true';
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('bounded etcd and stable writers against a real kube-apiserver', function () {
  let cp: ControlPlane;
  let gateKc: string;
  let archiverKc: string;
  let archiveDir: string;
  const sinks: AuditSink[] = [];
  const slots: WriterSlot[] = [];

  const kubectlOk = async (args: string[], kubeconfig?: string): Promise<string> => {
    const r = await cp.kubectl(args, kubeconfig ? { kubeconfig } : {});
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const segmentNames = async (writer?: string): Promise<string[]> =>
    (
      JSON.parse(
        await kubectlOk([
          'get',
          'configmaps',
          '-n',
          NS,
          '-l',
          writer ? `${SEGMENTS},migrationgate.io/writer=${writer}` : SEGMENTS,
          '-o',
          'json',
        ]),
      ) as { items: { metadata: { name: string } }[] }
    ).items
      .map((i) => i.metadata.name)
      .sort();

  before(async function () {
    cp = await startControlPlane();
    await kubectlOk(['create', 'namespace', NS]);
    gateKc = await cp.mintServiceAccountKubeconfig(NS, 'migration-gate');
    archiverKc = await cp.mintServiceAccountKubeconfig(NS, 'migration-gate-archiver');
    // The chart's rules (templates/rbac.yaml, templates/archiver-rbac.yaml).
    await kubectlOk([
      'create',
      'role',
      'gate',
      '-n',
      NS,
      '--verb=get,list,watch,create,update',
      '--resource=configmaps',
    ]);
    await kubectlOk([
      'create',
      'role',
      'gate-leases',
      '-n',
      NS,
      '--verb=create,get,update',
      '--resource=leases.coordination.k8s.io',
    ]);
    await kubectlOk([
      'create',
      'rolebinding',
      'gate',
      '-n',
      NS,
      '--role=gate',
      `--serviceaccount=${NS}:migration-gate`,
    ]);
    await kubectlOk([
      'create',
      'rolebinding',
      'gate-leases',
      '-n',
      NS,
      '--role=gate-leases',
      `--serviceaccount=${NS}:migration-gate`,
    ]);
    await kubectlOk([
      'create',
      'role',
      'archiver',
      '-n',
      NS,
      '--verb=get,list,delete,create',
      '--resource=configmaps',
    ]);
    await kubectlOk([
      'create',
      'role',
      'archiver-ledger',
      '-n',
      NS,
      '--verb=update',
      '--resource=configmaps',
      '--resource-name=migration-gate-audit-archive',
    ]);
    await kubectlOk([
      'create',
      'rolebinding',
      'archiver',
      '-n',
      NS,
      '--role=archiver',
      `--serviceaccount=${NS}:migration-gate-archiver`,
    ]);
    await kubectlOk([
      'create',
      'rolebinding',
      'archiver-ledger',
      '-n',
      NS,
      '--role=archiver-ledger',
      `--serviceaccount=${NS}:migration-gate-archiver`,
    ]);
    archiveDir = await mkdtemp(join(tmpdir(), 'mg-e2e-archive-'));
  });

  after(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close().catch(() => undefined)));
    await Promise.all(slots.splice(0).map((s) => s.release()));
    await cp?.stop();
    if (archiveDir) await rm(archiveDir, { recursive: true, force: true });
  });

  it('caps live segments per writer (alert state first), then the archiver CLI, as its own ServiceAccount, exports and deletes; writing resumes; archive + live verify', async () => {
    const states: SegmentState[] = [];
    const store = connectKube({ kubeconfigPath: gateKc }).configMaps(NS);
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = { name: 'migration-gate/e2e', privateKey, publicKey: createPublicKey(privateKey) };
    const late: { trees?: AuditTrees } = {};
    const raw = await openConfigMapAuditSink({
      store,
      writer: 'capped',
      lingerMs: 0,
      segmentMaxBytes: 8 * 1024,
      maxLiveSegments: 4,
      onSegments: (s) => states.push(s),
      // As the app: a seal checkpoint per sealed segment, posted on the board.
      onSealed: (seq) => late.trees?.checkpointAt(seq),
    });
    sinks.push(raw);
    const trees = treesOver(raw, 'capped', { key, board: configMapCheckpointBoard(store) });
    late.trees = trees;
    await trees.load();
    const sink = withAuditTrees(raw, trees);
    let n = 0;
    let refused: Error | undefined;
    while (!refused && n < 2000) {
      n += 1;
      refused = await sink.append(report(n)).then(
        () => undefined,
        (e: Error) => e,
      );
    }
    expect(refused?.message).to.match(/has 4 live segments, its cap/);
    const acked = n - 1;
    expect(await segmentNames('capped')).to.have.length(4);
    expect(
      states.some((s) => s.live === 3 && s.warnAt === 3),
      'the warning level was reported before the cap',
    ).to.equal(true);

    // The gate's identity cannot make room; the archiver's can.
    expect(
      (
        await cp.kubectl(['auth', 'can-i', 'delete', 'configmaps', '-n', NS], { kubeconfig: gateKc })
      ).stdout.trim(),
    ).to.equal('no');
    expect(
      (
        await cp.kubectl(['auth', 'can-i', 'delete', 'configmaps', '-n', NS], { kubeconfig: archiverKc })
      ).stdout.trim(),
    ).to.equal('yes');
    await trees.settled(); // the seal checkpoints are on the board
    const run = await cli(['audit', 'archive', '--dir', archiveDir], {
      GATE_KUBECONFIG: archiverKc,
      GATE_NAMESPACE: NS,
    });
    expect(run.code, run.stderr).to.equal(0);
    const result = JSON.parse(run.stdout) as { archived: string[]; problems: unknown[] };
    expect(result.problems).to.deep.equal([]);
    expect(result.archived).to.have.length(3);
    expect((await readdir(join(archiveDir, 'capped'))).filter((f) => f.endsWith('.jsonl'))).to.deep.equal(
      result.archived.map((s) => `${s}.jsonl`),
    );
    expect(await segmentNames('capped')).to.have.length(1);
    // The archiver read the seal checkpoints from the board: each exported segment has the signed
    // checkpoint of exactly its last record.
    for (const seg of result.archived) {
      const text = await readFile(join(archiveDir, 'capped', `${seg}.jsonl`), 'utf8');
      const lastSeq = (JSON.parse(text.trimEnd().split('\n').at(-1)!) as { seq: number }).seq;
      const note = await readFile(join(archiveDir, 'capped', `${seg}.checkpoint`), 'utf8');
      const opened = openCheckpoint(note, verifierFor(key.name, key.publicKey));
      expect(opened.ok, seg).to.equal(true);
      if (opened.ok)
        expect(opened.value.checkpoint).to.deep.include({
          origin: 'migration-gate/e2e/capped',
          size: lastSeq,
        });
    }

    // The gate writes again (it recounts near the cap) and its own verification starts where the archive ends.
    for (let i = 0; i < 10; i++) await sink.append(report(5000 + i));
    const live = await verifyAudit(sink);
    expect(live.ok, JSON.stringify(live.first_bad)).to.equal(true);
    expect(states.at(-1)!.live).to.be.lessThan(4);
    // The next pod holding this writer rebuilds the tree from the ledger's range and the live
    // segment: the size and root the checkpoints signed (it used to restart at the first live record).
    await trees.tick();
    const signed = trees.status().checkpoints[0]!;
    expect(signed.size).to.equal(acked + 10);
    const next = treesOver(raw, 'capped', { key });
    await next.load();
    expect(next.rootAt(signed.size).toString('base64')).to.equal(signed.root);
    // Offline: archive + live as one chain from genesis, read with the gate's (read-only) identity.
    const verify = await cli(['audit', 'verify', '--archive', archiveDir, '--live'], {
      GATE_KUBECONFIG: gateKc,
      GATE_NAMESPACE: NS,
    });
    expect(verify.code, verify.stdout + verify.stderr).to.equal(0);
    const v = JSON.parse(verify.stdout) as {
      ok: boolean;
      writers: { writer: string; records: number; last_seq: number }[];
    };
    expect(v.writers.find((w) => w.writer === 'capped')).to.deep.include({
      records: acked + 10,
      last_seq: acked + 10,
    });
    console.log(
      `      cap 4 reached after ${acked} records; archiver moved ${result.archived.length} segments; archive + live: ${acked + 10} records verify`,
    );
  });

  it('stable writers: five rolling updates of two replicas write into at most three chains (Lease slots), all verify', async () => {
    const kube = connectKube({ kubeconfigPath: gateKc });
    const store = kube.configMaps(NS);
    const clock = { now: () => new Date() };
    const start = async (pod: string): Promise<AuditSink> => {
      const slot = await acquireWriterSlot({
        slots: 3,
        prefix: 'e2e-gate',
        identity: pod,
        clock,
        logger: silent,
        leaseDurationMs: 5000,
        leaseStore: (name) => kube.lease(NS, name),
      });
      slots.push(slot);
      return slotGuardedSink(await openConfigMapAuditSink({ store, writer: slot.writer, lingerMs: 0 }), slot);
    };
    let live = [await start('gen0-a'), await start('gen0-b')];
    let written = 0;
    for (let gen = 1; gen <= 5; gen++) {
      const next: AuditSink[] = [];
      for (const old of live) {
        const fresh = await start(`gen${gen}-${next.length}`); // maxSurge 1: the new pod is up before the old one stops
        await Promise.all([old.append(report(++written)), fresh.append(report(++written))]);
        await old.close(); // releases its Lease
        next.push(fresh);
      }
      live = next;
    }
    const writers = [
      ...new Set(
        (await segmentNames()).filter((s) => s.includes('e2e-gate-w')).map((s) => s.replace(/-\d{6}$/, '')),
      ),
    ];
    expect(writers.sort()).to.deep.equal([
      'migration-gate-audit-e2e-gate-w0',
      'migration-gate-audit-e2e-gate-w1',
      'migration-gate-audit-e2e-gate-w2',
    ]);
    const leases = (
      JSON.parse(await kubectlOk(['get', 'leases', '-n', NS, '-o', 'json'])) as {
        items: { metadata: { name: string } }[];
      }
    ).items.map((l) => l.metadata.name);
    expect(leases.filter((l) => l.startsWith('e2e-gate-writer-')).sort()).to.deep.equal([
      'e2e-gate-writer-0',
      'e2e-gate-writer-1',
      'e2e-gate-writer-2',
    ]);
    const v = await verifyAudit(live[0]!);
    expect(v.ok, JSON.stringify(v.first_bad)).to.equal(true);
    expect(
      v.writers.filter((w) => w.writer.startsWith('e2e-gate-w')).reduce((a, w) => a + w.records, 0),
    ).to.equal(written);
    console.log(`      ${written} records over 5 rollouts of 2 replicas: 3 chains, 3 Leases`);
    await Promise.all(live.map((s) => s.close()));
  });
});
