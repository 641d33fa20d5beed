// Every replica's latest checkpoint on the ConfigMap board: each replica
// shows the others', and an entry not signed by the installation's key (or
// naming another writer's origin) is not shown.
import { expect } from 'chai';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { configMapCheckpointBoard } from '../../../src/adapters/audit/configmap-checkpoint-board.js';
import { checkpointText } from '../../../src/core/tlog/checkpoint.js';
import { signNoteText } from '../../../src/core/tlog/signed-note.js';
import { AuditTrees } from '../../../src/services/audit/audit-trees.js';
import { MemoryAuditSink } from '../../support/memory-audit-sink.js';
import { FakeConfigMapStore } from '../audit/configmap-fake-store.js';
import { report } from '../audit/report-fixture.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('checkpoint board (ConfigMaps)', () => {
  it("shows every writer's signed checkpoint and hides forged ones", async () => {
    const store = new FakeConfigMapStore();
    const board = configMapCheckpointBoard(store);
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = { name: 'migration-gate/c', privateKey, publicKey: createPublicKey(privateKey) };
    const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
    const trees = (writer: string) =>
      new AuditTrees({
        sink: new MemoryAuditSink(writer),
        writer,
        key,
        clock,
        logger: silent,
        destinations: [],
        board,
      });
    const a = trees('a');
    const b = trees('b');
    await a.load();
    await b.load();
    for (let i = 0; i < 3; i++)
      b.observe(await new MemoryAuditSink('b').append(report(i)).then((r) => ({ ...r, seq: i + 1 })));
    await b.tick();
    await b.settled();
    await a.tick();
    await a.settled();
    // A board entry signed by someone else, and one that reuses b's note under another writer's name.
    const stranger = generateKeyPairSync('ed25519');
    const text = checkpointText({ origin: 'migration-gate/c/z', size: 9, root: Buffer.alloc(32) });
    await board.put({
      writer: 'z',
      note: `${text}\n${signNoteText(text, 'migration-gate/c', stranger.privateKey, stranger.publicKey)}`,
      signed_at: 'x',
    });
    const bNote = (await b.statusAll()).checkpoints[0]!.note;
    await board.put({ writer: 'y', note: bNote, signed_at: 'x' });
    const all = await a.statusAll();
    expect(all.checkpoints.map((c) => c.writer)).to.deep.equal(['a']);
    expect(all.peers.map((c) => [c.writer, c.size])).to.deep.equal([['b', 3]]);
  });
});
