// The peer-proof and checkpoint-board suite (test/support/peer-proof-contract.ts)
// on the ConfigMap sink and board over the in-memory apiserver fake; the
// PostgreSQL sink and its checkpoint table run it in
// test/integration/audit-postgres.test.ts.
import { expect } from 'chai';
import { configMapCheckpointBoard } from '../../../src/adapters/audit/configmap-checkpoint-board.js';
import { openConfigMapAuditSink } from '../../../src/adapters/audit/configmap-sink.js';
import type { AuditSink } from '../../../src/core/ports/audit.js';
import { withAuditTrees } from '../../../src/services/audit/audit-trees.js';
import { treesOver } from '../../support/audit-trees.js';
import { FakeConfigMapStore } from '../audit/configmap-fake-store.js';
import { report } from '../audit/report-fixture.js';
import { peerProofContract } from '../../support/peer-proof-contract.js';

let store = new FakeConfigMapStore();
peerProofContract('configmap (apiserver fake)', {
  async reset() {
    store = new FakeConfigMapStore();
  },
  open: (writer) => openConfigMapAuditSink({ store, writer, lingerMs: 0, retryBaseMs: 1, random: () => 0.5 }),
  board: () => configMapCheckpointBoard(store),
  async rewrite(writer, from, to) {
    for (const [name, cm] of store.objects)
      if (name.includes(writer) && (cm.data['records.jsonl'] ?? '').includes(from))
        store.edit(name, (t) => t.replace(from, to));
  },
});

describe('withAuditTrees keeps the read side of the sink it wraps', () => {
  it('forwards the indexes and the chain starts (the API reads through this wrapper)', async () => {
    const store = new FakeConfigMapStore();
    const raw = await openConfigMapAuditSink({ store, writer: 'w', lingerMs: 0, retryBaseMs: 1 });
    const trees = treesOver(raw, 'w');
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
