// A ConfigMap writer (apiserver fake) whose trees sign a checkpoint at every
// segment seal and post it on the ConfigMap board, with 20 decisions in
// small segments: what the archive-checkpoint tests archive (into a
// directory, into PostgreSQL) and verify offline.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { configMapCheckpointBoard } from '../../src/adapters/audit/configmap-checkpoint-board.js';
import { openConfigMapAuditSink } from '../../src/adapters/audit/configmap-sink.js';
import type { AuditSink } from '../../src/core/ports/audit.js';
import { type AuditTrees, withAuditTrees } from '../../src/services/audit/audit-trees.js';
import { treesOver } from './audit-trees.js';
import { FakeConfigMapStore } from '../unit/audit/configmap-fake-store.js';
import { report } from '../unit/audit/report-fixture.js';

/** Writer pod-a's ConfigMap sink over the fake, with 2 KiB segments (a few records each) and no waits. */
export function openSmallSegmentSink(
  store: FakeConfigMapStore,
  o: { onSealed?: (seq: number) => void } = {},
): ReturnType<typeof openConfigMapAuditSink> {
  return openConfigMapAuditSink({
    store,
    writer: 'pod-a',
    lingerMs: 0,
    retryBaseMs: 1,
    random: () => 0.5,
    segmentMaxBytes: 2048,
    ...o,
  });
}

export async function sealingWriter(): Promise<{
  store: FakeConfigMapStore;
  board: ReturnType<typeof configMapCheckpointBoard>;
  raw: AuditSink;
  trees: AuditTrees;
}> {
  const store = new FakeConfigMapStore();
  const board = configMapCheckpointBoard(store);
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = { name: 'migration-gate/c', privateKey, publicKey: createPublicKey(privateKey) };
  // The sink is opened first; its seals reach the trees built on it.
  const late: { trees?: AuditTrees } = {};
  const raw = await openSmallSegmentSink(store, { onSealed: (seq) => late.trees?.checkpointAt(seq) });
  const trees = treesOver(raw, 'pod-a', {
    key,
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    board,
  });
  late.trees = trees;
  await trees.load();
  const sink = withAuditTrees(raw, trees);
  for (let i = 1; i <= 20; i++) await sink.append(report(i));
  await trees.tick();
  await trees.settled();
  return { store, board, raw, trees };
}
