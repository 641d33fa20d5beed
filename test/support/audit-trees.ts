// AuditTrees over a sink for tests: a fresh Ed25519 checkpoint key, the
// wall clock, a silent logger and no destinations unless a test gives its own.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { AuditSink } from '../../src/core/ports/audit.js';
import { AuditTrees, type AuditTreesOptions } from '../../src/services/audit/audit-trees.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export function checkpointKey(name = 'migration-gate/c'): AuditTreesOptions['key'] {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { name, privateKey, publicKey: createPublicKey(privateKey) };
}

export function treesOver(sink: AuditSink, writer: string, o: Partial<AuditTreesOptions> = {}): AuditTrees {
  return new AuditTrees({
    sink,
    writer,
    key: checkpointKey(),
    clock: { now: () => new Date() },
    logger: silent,
    destinations: [],
    ...o,
  });
}
