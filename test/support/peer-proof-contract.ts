// Proofs from any replica, and the checkpoint board they rest on, as one
// suite each store runs (the ConfigMap board over the apiserver fake in
// test/unit/tlog/proofs-any-replica.test.ts, the PostgreSQL checkpoint
// table in test/integration/audit-postgres.test.ts): two gates (each its
// own writer, sink and trees) share one store and board. Each answers the
// inclusion proof of a decision the other wrote, against that writer's own
// signed checkpoint, and a consistency proof of the other's tree; the proof
// checks with nothing but the public key. A record newer than its writer's
// latest checkpoint is not proved, a store rewritten behind the writer is
// refused, and a board entry not signed by the installation's key (or
// naming another writer's origin) is not shown.
import { expect } from 'chai';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { verifyProofText } from '../../src/cli/audit-tlog.js';
import { checkpointText, openCheckpoint } from '../../src/core/tlog/checkpoint.js';
import { verifyConsistency } from '../../src/core/tlog/proof-verify.js';
import { parseVerifierKey, signNoteText, verifierFor } from '../../src/core/tlog/signed-note.js';
import type { AuditSink } from '../../src/core/ports/audit.js';
import type { CheckpointBoard } from '../../src/core/ports/checkpoints.js';
import { type AuditTrees, withAuditTrees } from '../../src/services/audit/audit-trees.js';
import { treesOver } from './audit-trees.js';
import { report } from '../unit/audit/report-fixture.js';
import { rejection } from './rejection.js';

export interface BoardStoreUnderTest {
  /** A fresh, empty store (records and board). */
  reset(): Promise<void>;
  /** A sink of `writer` on the current store. */
  open(writer: string): Promise<AuditSink>;
  /** The checkpoint board of the current store. */
  board(): CheckpointBoard;
  /** Rewrites `from` to `to` in the stored line of `writer`'s record that holds it, behind the sinks' back. */
  rewrite(writer: string, from: string, to: string): Promise<void>;
}

export function peerProofContract(name: string, subject: BoardStoreUnderTest): void {
  describe(`audit proofs from any replica (two gates, one store): ${name}`, function () {
    this.timeout(60_000);
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = { name: 'migration-gate/c', privateKey, publicKey: createPublicKey(privateKey) };
    const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
    let gates: Array<{ trees: AuditTrees; sink: AuditSink; raw: AuditSink }>;
    const extra: AuditSink[] = [];
    const trees = (raw: AuditSink, writer: string, board: CheckpointBoard | undefined) =>
      treesOver(raw, writer, { key, clock, ...(board ? { board } : {}) });

    beforeEach(async () => {
      await subject.reset();
      const board = subject.board();
      gates = [];
      for (const writer of ['gate-a', 'gate-b']) {
        const raw = await subject.open(writer);
        const t = trees(raw, writer, board);
        await t.load();
        gates.push({ trees: t, raw, sink: withAuditTrees(raw, t) });
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
      for (const s of extra.splice(0)) await s.close();
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
      expect(verifyConsistency(5, 9, proof, o1.value.checkpoint.root, o2.value.checkpoint.root)).to.equal(
        true,
      );
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
      await subject.rewrite('gate-b', '"request_id":"gate-b-1"', '"request_id":"gate-b-x"');
      // A fresh replica reads the changed store.
      const raw = await subject.open('gate-c');
      extra.push(raw);
      const c = trees(raw, 'gate-c', subject.board());
      await c.load();
      const e = await rejection(c.prove('gate-b-3'));
      expect(e.code).to.equal('audit-unavailable');
      expect(e.message).to.match(/do not have the root its checkpoint of size 5 signed/);
    });

    it('without a board there is no checkpoint of another writer to prove against: a clear not-found', async () => {
      const raw = await subject.open('gate-d');
      extra.push(raw);
      const d = trees(raw, 'gate-d', undefined);
      await d.load();
      const e = await rejection(d.prove('gate-a-1'));
      expect(e.code).to.equal('not-found');
      expect(e.message).to.match(/without a checkpoint board/);
    });

    it("shows every writer's signed checkpoint, the newest one posted, and hides forged ones", async () => {
      const board = subject.board();
      const a = gates[0]!.trees;
      // b signs a larger tree: the board shows that one, not the first.
      for (let i = 5; i < 8; i++) await gates[1]!.sink.append(report(200 + i));
      await gates[1]!.trees.tick();
      await gates[1]!.trees.settled();
      // A board entry signed by someone else, and one that reuses b's note under another writer's name.
      const stranger = generateKeyPairSync('ed25519');
      const text = checkpointText({ origin: 'migration-gate/c/z', size: 9, root: Buffer.alloc(32) });
      await board.put({
        writer: 'z',
        note: `${text}\n${signNoteText(text, 'migration-gate/c', stranger.privateKey, stranger.publicKey)}`,
        signed_at: 'x',
      });
      const bNote = (await gates[1]!.trees.statusAll()).checkpoints[0]!.note;
      await board.put({ writer: 'y', note: bNote, signed_at: 'x' });
      const all = await a.statusAll();
      expect(all.checkpoints.map((c) => [c.writer, c.size])).to.deep.equal([['gate-a', 5]]);
      expect(all.peers.map((c) => [c.writer, c.size])).to.deep.equal([['gate-b', 8]]);
      expect((await board.list()).map((e) => e.writer).sort()).to.deep.equal(['gate-a', 'gate-b', 'y', 'z']);
    });
  });
}
