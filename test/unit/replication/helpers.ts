// Shared fixtures for the T2 unit tests: byte sources (good, failing,
// stalling), a manifest writer and the baseline policies as plain code.
import { replicationRequestFromFiles, type ReplicationFileArgs } from '../../../src/cli/replication-files.js';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { ByteSource } from '../../../src/core/ports/artifacts.js';
import type { PinnedKey } from '../../../src/core/ports/keys.js';
import type { Finding } from '../../../src/core/contracts/report.js';
import { decide } from '../../../src/core/decision.js';
import {
  DEFAULT_REPLICATION_LIMITS,
  verifyReplication,
  type ReplicationFacts,
  type ReplicationInput,
} from '../../../src/core/replication/pipeline.js';
import { sha256, syntheticBackup, walName, walSegment } from '../../support/pg/synthetic-backup.js';

export function source(data: Buffer, name = 'snapshot.tar.gz', chunk = 16 * 1024): ByteSource {
  return {
    name,
    size: data.length,
    stream: (async function* () {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
    })(),
  };
}

/** Sends `data` up to `after` bytes, then fails like a dropped connection. */
export function failingSource(data: Buffer, after: number): ByteSource {
  return {
    name: 'snapshot.tar.gz',
    stream: (async function* () {
      yield data.subarray(0, after);
      throw new Error('socket hang up');
    })(),
  };
}

/** Sends `after` bytes and then nothing, ever. */
export function stallingSource(data: Buffer, after: number): ByteSource {
  return {
    name: 'snapshot.tar.gz',
    stream: (async function* () {
      yield data.subarray(0, after);
      await new Promise(() => undefined);
    })(),
  };
}

export async function* walFiles(
  files: { name: string; data: Buffer }[],
): AsyncGenerator<{ name: string; source: ByteSource }> {
  for (const f of files) yield { name: f.name, source: source(f.data, f.name) };
}

export function baselinePolicies(facts: ReplicationFacts): Finding[] {
  const out: Finding[] = [];
  if (facts.env === 'prod' && !facts.signature.verified) {
    out.push({
      rule: 't2-signature-required',
      severity: 'critical',
      action: 'block',
      message: 'prod requires a verified manifest signature',
    });
  }
  const w = facts.wal;
  if (facts.manifest.sync_mode === 'sync' && !(w.listed > 0 && w.continuous && w.covers_backup)) {
    out.push({
      rule: 't2-sync-wal-continuity',
      severity: 'critical',
      action: 'block',
      message: 'sync replication needs continuous WAL covering the backup',
    });
  }
  return out;
}

export function ed25519(): { publicKey: KeyObject; privateKey: KeyObject; pinned: PinnedKey } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { publicKey, privateKey, pinned: { id: 'test-ed25519', key: publicKey } };
}

export function manifestYaml(fields: Record<string, unknown>): Buffer {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) {
      lines.push(`${k}:`);
      for (const item of v as Record<string, unknown>[]) {
        lines.push(
          `  - ${Object.entries(item)
            .map(([a, b]) => `${a}: ${JSON.stringify(b)}`)
            .join('\n    ')}`,
        );
      }
    } else {
      lines.push(`${k}: ${JSON.stringify(v)}`);
    }
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** A complete, valid T2 case (synthetic backup + 2 WAL segments), ready to be broken by a test. */
export function goodCase(): {
  snapshot: Buffer;
  wal: { name: string; data: Buffer }[];
  fields: Record<string, unknown>;
} {
  const backup = syntheticBackup();
  const wal = [1, 2].map((n) => ({ name: walName(1, n), data: walSegment(1, n) }));
  return {
    snapshot: backup.snapshot,
    wal,
    fields: {
      source_db: 'orders-old',
      target_db: 'orders-new',
      expected_snapshot_hash: `sha256:${sha256(backup.snapshot)}`,
      sync_mode: 'sync',
      env: 'staging',
      wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data), size: w.data.length })),
    },
  };
}

export async function run(
  over: Partial<ReplicationInput> & {
    snapshotBytes?: Buffer;
    walList?: { name: string; data: Buffer }[];
    fields?: Record<string, unknown>;
  },
) {
  const base = goodCase();
  const fields = over.fields ?? base.fields;
  const input: ReplicationInput = {
    manifestBytes: over.manifestBytes ?? manifestYaml(fields),
    snapshot: 'snapshot' in over ? over.snapshot : source(over.snapshotBytes ?? base.snapshot),
    wal: over.wal ?? walFiles(over.walList ?? base.wal),
    keys: over.keys ?? [],
    limits: over.limits ?? DEFAULT_REPLICATION_LIMITS,
    policies: over.policies ?? baselinePolicies,
    ...(over.signature ? { signature: over.signature } : {}),
    ...(over.signal ? { signal: over.signal } : {}),
    ...(over.onProgress ? { onProgress: over.onProgress } : {}),
  };
  const evaluation = await verifyReplication(input);
  const report = decide(evaluation, { requestId: 't', timestamp: '2026-01-01T00:00:00Z' });
  return {
    evaluation,
    report,
    rules: evaluation.findings.filter((f) => f.action === 'block').map((f) => f.rule),
  };
}

export function signDetached(data: Buffer, key: KeyObject): Buffer {
  const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return Buffer.from(sign(alg, data, key).toString('base64'));
}

/** Runs the pipeline on `snapshot` with a manifest that expects exactly it (so only archive checks can fail). */
export async function runSnapshot(snapshot: Buffer, over: Partial<ReplicationInput> = {}) {
  const fields = { ...goodCase().fields, expected_snapshot_hash: sha256(snapshot), sync_mode: 'async' };
  return run({ ...over, fields, snapshotBytes: snapshot });
}

/** The gate on files on disk through the CLI's local path (files opened as the core asks), with the baseline policies. */
export async function judgeFiles(args: ReplicationFileArgs) {
  const req = await replicationRequestFromFiles(args);
  const evaluation = await verifyReplication({
    ...req,
    keys: [],
    limits: DEFAULT_REPLICATION_LIMITS,
    policies: baselinePolicies,
  });
  const report = decide(evaluation, { requestId: 'it', timestamp: '2026-01-01T00:00:00Z' });
  return {
    decision: report.decision,
    rules: evaluation.findings.filter((f) => f.action === 'block').map((f) => f.rule),
    reasons: report.reasons,
    steps: evaluation.steps,
  };
}
