// Proofs from any replica: two gates (each its own writer, sink and trees)
// share one ConfigMap store and checkpoint board. Each answers the inclusion
// proof of a decision the other wrote, against that writer's own signed
// checkpoint, and a consistency proof of the other's tree; the proof checks
// with nothing but the public key. A record newer than its writer's latest
// checkpoint is not proved, and a store rewritten behind the writer is refused.
import { expect } from 'chai';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { configMapCheckpointBoard } from '../../../src/adapters/audit/configmap-checkpoint-board.js';
import { openConfigMapAuditSink } from '../../../src/adapters/audit/configmap-sink.js';
import { verifyProofText } from '../../../src/cli/audit-tlog.js';
import { openCheckpoint } from '../../../src/core/tlog/checkpoint.js';
import { verifyConsistency } from '../../../src/core/tlog/proof-verify.js';
import { parseVerifierKey, verifierFor } from '../../../src/core/tlog/signed-note.js';
import type { AuditSink } from '../../../src/core/ports/audit.js';
import { AuditTrees, withAuditTrees } from '../../../src/services/audit/audit-trees.js';
import { FakeConfigMapStore } from '../audit/configmap-fake-store.js';
import { report } from '../audit/report-fixture.js';
import { rejection } from '../../support/rejection.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('audit proofs from any replica (two gates, one store)', function () {
  this.timeout(60_000);
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = { name: 'migration-gate/c', privateKey, publicKey: createPublicKey(privateKey) };
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
  let store: FakeConfigMapStore;
  let gates: Array<{ trees: AuditTrees; sink: AuditSink; raw: AuditSink }>;

  beforeEach(async () => {
    store = new FakeConfigMapStore();
    const board = configMapCheckpointBoard(store);
    gates = [];
    for (const writer of ['gate-a', 'gate-b']) {
      const raw = await openConfigMapAuditSink({
        store,
        writer,
        lingerMs: 0,
        retryBaseMs: 1,
        random: () => 0.5,
      });
      const trees = new AuditTrees({
        sink: raw,
        writer,
        key,
        clock,
        logger: silent,
        destinations: [],
        board,
      });
      await trees.load();
      gates.push({ trees, raw, sink: withAuditTrees(raw, trees) });
    }
    let n = 0;
    for (const g of gates)
      for (let i = 0; i < 5; i++)
        await g.sink.append(report(++n, { request_id: `${g.trees.status().writer}-${i}` }));
    for (const g of gates) {
      await g.trees.tick();
      await g.trees.settled();
    }
  });
  afterEach(async () => {
    for (const g of gates) await g.raw.close();
  });

  it("each replica proves the other writer's decision against that writer's checkpoint", async () => {
    const vkey = parseVerifierKey(gates[0]!.trees.verifierKey);
    for (const [asker, writer] of [
      [0, 'gate-b'],
      [1, 'gate-a'],
    ] as const) {
      const proof = await gates[asker]!.trees.prove(`${writer}-3`);
      const v = verifyProofText(proof, vkey);
      expect(v, proof).to.deep.include({
        ok: true,
        origin: `migration-gate/c/${writer}`,
        index: 3,
        tree_size: 5,
      });
      // The same bytes the writer itself serves.
      const own = gates[asker === 0 ? 1 : 0]!.trees;
      expect(proof).to.equal(await own.prove(`${writer}-3`));
    }
  });

  it("each replica serves a consistency proof of the other's tree that checks against its checkpoints", async () => {
    const b = gates[1]!;
    const small = (await b.trees.statusAll()).checkpoints[0]!.note;
    for (let i = 5; i < 9; i++) await b.sink.append(report(100 + i, { request_id: `gate-b-${i}` }));
    await b.trees.tick();
    await b.trees.settled();
    const large = (await b.trees.statusAll()).checkpoints[0]!.note;
    const c = await gates[0]!.trees.consistency('gate-b', 5, 9);
    const v = verifierFor(key.name, key.publicKey);
    const [o1, o2] = [openCheckpoint(small, v), openCheckpoint(large, v)];
    if (!o1.ok || !o2.ok) throw new Error('checkpoints do not verify');
    expect(o1.value.checkpoint.size).to.equal(5);
    expect(o2.value.checkpoint.size).to.equal(9);
    const proof = c.proof.map((h) => Buffer.from(h, 'base64'));
    expect(verifyConsistency(5, 9, proof, o1.value.checkpoint.root, o2.value.checkpoint.root)).to.equal(true);
    // And it is what the writer itself gives.
    expect(c).to.deep.equal(await b.trees.consistency('gate-b', 5, 9));
  });

  it("a record newer than its writer's latest checkpoint is not proved (yet)", async () => {
    await gates[1]!.sink.append(report(500, { request_id: 'late' }));
    const e = await rejection(gates[0]!.trees.prove('late'));
    expect(e.code).to.equal('not-found');
    expect(e.message).to.match(/newer than gate-b's latest checkpoint \(size 5\)/);
  });

  it('a store rewritten behind the writer is refused, not proved against', async () => {
    for (const [name, cm] of store.objects)
      if (name.includes('gate-b') && (cm.data['records.jsonl'] ?? '').includes('"gate-b-1"'))
        store.edit(name, (t) => t.replace(/"request_id":"gate-b-1"/, '"request_id":"gate-b-x"'));
    // A fresh replica reads the changed store.
    const raw = await openConfigMapAuditSink({ store, writer: 'gate-c', lingerMs: 0, retryBaseMs: 1 });
    const c = new AuditTrees({
      sink: raw,
      writer: 'gate-c',
      key,
      clock,
      logger: silent,
      destinations: [],
      board: configMapCheckpointBoard(store),
    });
    await c.load();
    const e = await rejection(c.prove('gate-b-3'));
    expect(e.code).to.equal('audit-unavailable');
    expect(e.message).to.match(/do not have the root its checkpoint of size 5 signed/);
    await raw.close();
  });

  it('without a board there is no checkpoint of another writer to prove against: a clear not-found', async () => {
    const raw = await openConfigMapAuditSink({ store, writer: 'gate-d', lingerMs: 0, retryBaseMs: 1 });
    const d = new AuditTrees({ sink: raw, writer: 'gate-d', key, clock, logger: silent, destinations: [] });
    await d.load();
    const e = await rejection(d.prove('gate-a-1'));
    expect(e.code).to.equal('not-found');
    expect(e.message).to.match(/without a checkpoint board/);
    await raw.close();
  });
});

describe('withAuditTrees keeps the read side of the sink it wraps', () => {
  it('forwards the indexes and the chain starts (the API reads through this wrapper)', async () => {
    const store = new FakeConfigMapStore();
    const raw = await openConfigMapAuditSink({ store, writer: 'w', lingerMs: 0, retryBaseMs: 1 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = { name: 'migration-gate/c', privateKey, publicKey: createPublicKey(privateKey) };
    const trees = new AuditTrees({
      sink: raw,
      writer: 'w',
      key,
      clock: { now: () => new Date() },
      logger: silent,
      destinations: [],
    });
    const wrapped = withAuditTrees(raw, trees);
    expect(typeof wrapped.readIndex).to.equal('function');
    expect(typeof wrapped.chainStarts).to.equal('function');
    await wrapped.append(report(1));
    expect((await wrapped.readIndex!()).segments().map((s) => s.records)).to.deep.equal([1]);
    const indexed = {
      page: () => Promise.reject(new Error('x')),
      byRequestId: () => Promise.reject(new Error('x')),
    };
    expect(
      withAuditTrees({ ...raw, kind: 'postgres', indexed } as unknown as AuditSink, trees).indexed,
    ).to.equal(indexed);
    await raw.close();
  });
});
