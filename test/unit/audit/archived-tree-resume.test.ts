// After the archiver moves a writer's oldest segments out of etcd, the next
// pod holding that writer (a restart, a rollout reusing the Lease slot)
// rebuilds the writer's Merkle tree from the archive ledger's compact range
// and the live segments: leaf numbers, roots and proofs go on where the
// signed checkpoints left them. Before, the tree restarted at the first live
// record: a checkpoint of size 5 after one of size 40, a fork every witness
// refuses. Attacked: a forged ledger range, a ledger without one, a ledger
// that moved during the read.
import { expect } from 'chai';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryArchive } from '../../../src/adapters/audit/archive-dir.js';
import { LEDGER_NAME } from '../../../src/adapters/audit/archive-ledger.js';
import { archiveSealedSegments } from '../../../src/adapters/audit/configmap-archiver.js';
import type { AuditSink } from '../../../src/core/ports/audit.js';
import { verifyConsistency } from '../../../src/core/tlog/proof-verify.js';
import { verifierFor } from '../../../src/core/tlog/signed-note.js';
import { verifyProofText } from '../../../src/cli/audit-tlog.js';
import { withAuditTrees, type AuditTrees } from '../../../src/services/audit/audit-trees.js';
import { checkpointKey, treesOver } from '../../support/audit-trees.js';
import { openSmallSegmentSink } from '../../support/sealing-writer.js';
import { FakeConfigMapStore } from './configmap-fake-store.js';
import { report } from './report-fixture.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const KEY = checkpointKey();

describe('audit trees resume after the archiver moved segments out (apiserver fake)', () => {
  let store: FakeConfigMapStore;
  let dir: string;
  const open: AuditSink[] = [];

  const pod = async (o: { wrap?: (s: AuditSink) => AuditSink } = {}) => {
    const raw = await openSmallSegmentSink(store);
    open.push(raw);
    const trees = treesOver(o.wrap ? o.wrap(raw) : raw, 'pod-a', { key: KEY });
    return { trees, sink: withAuditTrees(raw, trees), raw };
  };
  const archive = () =>
    archiveSealedSegments({
      store,
      targets: [directoryArchive(dir)],
      clock: () => new Date('2026-02-01T00:00:00Z'),
      logger: silent,
    });
  const ledger = () => store.objects.get(LEDGER_NAME)!;
  const editLedger = (edit: (entry: Record<string, unknown>) => void) => {
    const cm = ledger();
    const entry = JSON.parse(cm.data['pod-a']!) as Record<string, unknown>;
    edit(entry);
    store.objects.set(LEDGER_NAME, { ...cm, data: { ...cm.data, 'pod-a': JSON.stringify(entry) } });
  };

  /** 40 decisions by a first pod, its checkpoint of them, then the archiver's run. */
  const history = async (): Promise<{ root: Buffer; archivedSeq: number; trees: AuditTrees }> => {
    const first = await pod();
    await first.trees.load();
    for (let i = 1; i <= 40; i++) await first.sink.append(report(i));
    await first.trees.tick();
    expect(first.trees.status().checkpoints[0]!.size).to.equal(40);
    const root = first.trees.rootAt(40);
    const run = await archive();
    expect(run.archived.length, 'the archiver moved segments out').to.be.greaterThan(0);
    const archivedSeq = (JSON.parse(ledger().data['pod-a']!) as { seq: number }).seq;
    expect(archivedSeq).to.be.within(1, 39);
    await first.raw.close();
    return { root, archivedSeq, trees: first.trees };
  };

  beforeEach(async () => {
    store = new FakeConfigMapStore();
    dir = await mkdtemp(join(tmpdir(), 'mg-resume-'));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('the next pod’s tree goes on at the archived size: same root, consistent checkpoints, provable new records', async () => {
    const { root, archivedSeq } = await history();
    const next = await pod();
    await next.trees.load();
    expect(next.trees.rootAt(40).equals(root), 'the root the first pod signed').to.equal(true);
    const r = await next.sink.append(report(41));
    expect(r.seq).to.equal(41);
    await next.trees.tick();
    const cp = next.trees.status().checkpoints[0]!;
    expect(cp.size).to.equal(41);
    expect(
      await witnessAccepts(next.trees, root, Buffer.from(cp.root, 'base64')),
      'a witness that saw size 40 accepts size 41',
    ).to.equal(true);
    const key = verifierFor(KEY.name, createPublicKey(KEY.privateKey));
    const proof = await next.trees.prove(r.request_id!);
    expect(verifyProofText(proof, key)).to.deep.include({ ok: true, index: 40, tree_size: 41 });
    // A record still live but older than the restart is provable too.
    const live = (await next.trees.prove(report(archivedSeq + 1).request_id!)) as string;
    expect(verifyProofText(live, key)).to.deep.include({ ok: true, index: archivedSeq });
    // An archived one is not in this tree (the archive and its checkpoints prove it offline).
    const gone = await next.trees.prove(report(1).request_id!).catch((e: Error & { code: string }) => e);
    expect(gone).to.be.instanceOf(Error).and.to.have.property('code', 'not-found');
    expect(() => next.trees.rootAt(archivedSeq - 1)).to.throw(RangeError);
    await expect_consistency_refused(next.trees, archivedSeq);
  });

  it('a forged ledger range gives another root at the signed size: the witness’s consistency check fails', async () => {
    const { root } = await history();
    editLedger((e) => {
      const tree = e.tree as string[];
      tree[0] = Buffer.alloc(32, 7).toString('base64');
    });
    const next = await pod();
    await next.trees.load();
    expect(next.trees.rootAt(40).equals(root)).to.equal(false);
    await next.sink.append(report(41));
    expect(await witnessAccepts(next.trees, root, next.trees.rootAt(41))).to.equal(false);
  });

  it('refuses to continue a tree whose ledger entry has no range (an older archiver), and one with a malformed range', async () => {
    await history();
    editLedger((e) => delete e.tree);
    const next = await pod();
    const e = await next.trees.load().catch((x: Error) => x);
    expect(e).to.be.instanceOf(Error);
    expect((e as Error).message).to.match(/archived without their tree hashes .* cannot continue/);
    editLedger((x) => (x.tree = ['not base64!']));
    const e2 = await next.trees.load().catch((x: Error) => x);
    expect((e2 as Error).message).to.match(/the entry for writer pod-a is unreadable/);
  });

  it('a read that raced the archiver (ledger and segments disagree) is read again, and refused when it keeps disagreeing', async () => {
    const { root, archivedSeq } = await history();
    let stale = 2;
    // The first two reads see the ledger from before the archiver's run: the live records start later than it says.
    const next = await pod({
      wrap: (raw) => ({
        ...raw,
        readRaw: () => raw.readRaw(),
        chainStarts: async () => {
          const real = await raw.chainStarts!();
          if (stale-- <= 0) return real;
          return new Map([['pod-a', { ...real.get('pod-a')!, seq: archivedSeq - 3 }]]);
        },
      }),
    });
    await next.trees.load();
    expect(next.trees.rootAt(40).equals(root)).to.equal(true);
    stale = 5;
    const e = await next.trees.load().catch((x: Error) => x);
    expect((e as Error).message).to.match(/disagreed on where a writer's records begin in 3 reads/);
  });
});

/** What a witness that saw `root` at size 40 checks of size 41 with `newRoot`: the gate's consistency proof. */
async function witnessAccepts(trees: AuditTrees, root: Buffer, newRoot: Buffer): Promise<boolean> {
  const c = await trees.consistency('pod-a', 40, 41);
  return verifyConsistency(
    40,
    41,
    c.proof.map((h) => Buffer.from(h, 'base64')),
    root,
    newRoot,
  );
}

async function expect_consistency_refused(trees: AuditTrees, archivedSeq: number): Promise<void> {
  const e = await trees.consistency('pod-a', archivedSeq - 1, 41).catch((x: Error) => x);
  expect(e).to.be.instanceOf(Error);
  expect((e as Error & { code?: string }).code).to.equal('bad-request');
  expect((e as Error).message).to.match(/archived/);
}
