// The T2 replication-integrity pipeline: parse manifest → schema → signature
// → snapshot stream (digest + archive safety in one pass) → backup_manifest
// → WAL → policies. It never throws and never allows by accident: every
// error becomes a failed step plus a blocking finding, and the first hard
// failure stops the pipeline (later steps are reported as skipped). Inputs
// not consumed are released so the caller's streams do not hang.
import { envBindingFinding, type EnvBinding } from '../config-check.js';
import type { Evaluation, Finding, Subject } from '../contracts/report.js';
import { describeError } from '../errors.js';
import type { ByteSource } from '../ports/artifacts.js';
import type { ChecksumPort } from '../ports/checksums.js';
import type { PinnedKey } from '../ports/keys.js';
import { digestsEqual } from '../hashing.js';
import { releaseIterator } from './abort.js';
import { verifyBackup, type BackupVerification } from './backup-verify.js';
import { checkIdentity } from './backup-identity.js';
import type { ReplicationFacts } from './facts.js';
import { blockFinding, VerificationFailure } from './findings.js';
import type { ReplicationLimits } from './limits.js';
import { checkManifest, parseManifest, type CheckedManifest } from './manifest.js';
import { Run } from './run.js';
import { verifySignature, type SignatureFacts } from './signature.js';
import { streamSnapshot, type SnapshotOutcome } from './snapshot.js';
import { verifyWal, type WalFacts } from './wal.js';
import { chainTimelineFindings } from './backup-chain.js';
import { nativeBackupSteps, type NativeBackupInput, type NativeOutcome } from './native-backup.js';

export { DEFAULT_REPLICATION_LIMITS, type ReplicationLimits } from './limits.js';
export type { ReplicationFacts } from './facts.js';

export interface ReplicationInput {
  /** replication_manifest.yaml, exact bytes (the signature covers them). */
  manifestBytes: Uint8Array;
  signature?: { kind: 'detached' | 'dsse'; bytes: Uint8Array };
  /** snapshot.tar.gz; consumed exactly once. */
  snapshot?: ByteSource;
  /** A native pg_basebackup directory (pinned by expected_backup_manifest_hash), instead of `snapshot`. */
  backup?: NativeBackupInput;
  /** Consumed after the snapshot, in order. */
  wal: AsyncIterable<{ name: string; source: ByteSource }>;
  keys: readonly PinnedKey[];
  limits: ReplicationLimits;
  /** Native checksum implementations (CRC-32C), injected by the composition root; absent: the core's own. */
  checksums?: ChecksumPort;
  /** The policy engine (CEL), injected by the caller. */
  policies: (facts: ReplicationFacts) => Finding[];
  onProgress?: (bytesRead: number, totalBytes?: number) => void;
  signal?: AbortSignal;
  /** Where the request may be judged (API token): the manifest's env must be allowed (core/config-check.ts). */
  envBinding?: EnvBinding;
}

export async function verifyReplication(input: ReplicationInput): Promise<Evaluation> {
  const run = new Run();
  const subject: Subject = {};
  try {
    await runPipeline(input, run, subject);
  } catch (e) {
    // Defence in depth: a bug must still end as a BLOCK with a reason.
    const finding =
      e instanceof VerificationFailure
        ? e.finding
        : blockFinding('internal-error', `internal error: ${describeError(e).slice(0, 200)}`);
    run.findings.push(finding);
    if (!run.stopped) run.record('policies', 'fail', finding.message);
  } finally {
    releaseInputs(input);
  }
  return { scenario: 'T2', subject, steps: run.steps(), findings: run.findings };
}

async function runPipeline(input: ReplicationInput, run: Run, subject: Subject): Promise<void> {
  const checked = manifestSteps(input, run, subject);
  if (!checked) return;
  const signature = signatureStep(input, run);
  if (run.stopped) return;
  const data = await dataSteps(input, checked, run, subject);
  if (!data) return;
  const { backup } = data;
  const wal = await walStep(input, checked, data, run);
  if (run.stopped) return;
  policyStep(input, run, {
    manifest: { ...checked.manifest },
    env: checked.manifest.env,
    signature,
    hash: { algorithm: checked.snapshotDigest.algorithm },
    wal,
    backup: { has_manifest: backup.hasManifest, verified: backup.verified },
  });
}

function manifestSteps(input: ReplicationInput, run: Run, subject: Subject): CheckedManifest | undefined {
  const parsed = parseManifest(input.manifestBytes, input.limits);
  if (!parsed.ok) {
    run.fail('parse', parsed.findings);
    return undefined;
  }
  run.record('parse', 'pass', `${input.manifestBytes.byteLength} bytes`);
  for (const k of ['source_db', 'target_db', 'env'] as const) {
    const v = parsed.raw[k];
    if (typeof v === 'string' && v !== '') subject[k] = v.slice(0, 253);
  }
  const { value, findings } = checkManifest(parsed.raw);
  run.findings.push(...findings.filter((f) => f.action !== 'block'));
  if (!value) {
    run.fail(
      'schema',
      findings.filter((f) => f.action === 'block'),
    );
    return undefined;
  }
  subject.env = value.manifest.env;
  const notAllowed = input.envBinding ? envBindingFinding(value.manifest.env, input.envBinding) : undefined;
  if (notAllowed) {
    run.fail('schema', [notAllowed]);
    return undefined;
  }
  run.record(
    'schema',
    'pass',
    `expected snapshot ${value.snapshotDigest.algorithm}, sync_mode ${value.manifest.sync_mode}`,
  );
  return value;
}

function signatureStep(input: ReplicationInput, run: Run): SignatureFacts {
  const out = verifySignature(
    input.manifestBytes,
    input.signature,
    input.keys,
    input.limits.maxSignatureBytes,
  );
  if (out.findings.length > 0) run.fail('signature', out.findings);
  else if (!out.facts.present)
    run.record('signature', 'skipped', 'no signature supplied (whether one is required is a policy)');
  else run.record('signature', 'pass', `${out.facts.format} signature verified with key ${out.facts.key_id}`);
  return out.facts;
}

/** The snapshot (single archive) or the native backup directory, whichever the manifest pins. */
async function dataSteps(
  input: ReplicationInput,
  checked: CheckedManifest,
  run: Run,
  subject: Subject,
): Promise<NativeOutcome | undefined> {
  if (checked.pin === 'expected_backup_manifest_hash') {
    if (input.snapshot) releaseIterator(input.snapshot.stream[Symbol.asyncIterator]());
    return nativeBackupSteps(input.backup, checked.snapshotDigest, checked.priorDigests, run, subject, {
      limits: input.limits,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      ...(input.checksums ? { checksums: input.checksums } : {}),
    });
  }
  if (input.backup || checked.priorDigests.length > 0) {
    run.fail('snapshot', [
      blockFinding(
        'snapshot-missing',
        input.backup
          ? 'a backup directory was sent but the manifest pins a single archive (expected_snapshot_hash); pin its backup_manifest with expected_backup_manifest_hash instead'
          : 'expected_prior_backup_manifest_hashes pins an incremental chain, which only a backup directory (expected_backup_manifest_hash) can carry',
      ),
    ]);
    return undefined;
  }
  return archiveSteps(input, checked, run, subject);
}

async function archiveSteps(
  input: ReplicationInput,
  checked: CheckedManifest,
  run: Run,
  subject: Subject,
): Promise<NativeOutcome | undefined> {
  const snap = await snapshotSteps(input, checked, run, subject);
  if (!snap) return undefined;
  const backup = backupStep(snap, run);
  if (run.stopped) return undefined;
  const identity = backup.manifest ? checkIdentity(backup.manifest, snap.kept, false) : undefined;
  if (identity && identity.findings.length > 0) {
    run.fail('backup-manifest', identity.findings);
    return undefined;
  }
  return {
    backup,
    embeddedWal: snap.embeddedWal,
    bytes: snap.compressedBytes,
    ...(identity?.systemId !== undefined ? { systemId: identity.systemId } : {}),
    ...(identity?.label?.segmentSize ? { segmentSize: identity.label.segmentSize } : {}),
  };
}

async function snapshotSteps(
  input: ReplicationInput,
  checked: CheckedManifest,
  run: Run,
  subject: Subject,
): Promise<SnapshotOutcome | undefined> {
  if (!input.snapshot) {
    run.fail('snapshot', [
      blockFinding(
        'snapshot-missing',
        'no snapshot was supplied; a replication cannot be verified without it',
      ),
    ]);
    return undefined;
  }
  const { algorithm, hex } = checked.snapshotDigest;
  const snap = await streamSnapshot(input.snapshot, algorithm, input.limits, {
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.checksums ? { checksums: input.checksums } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
  if (snap.failure) {
    const stage = snap.failure.stage;
    run.fail(stage, [snap.failure.finding]);
    if (stage === 'archive')
      run.record(
        'snapshot',
        'fail',
        `stream stopped after ${snap.compressedBytes} bytes: the archive check failed`,
      );
    return undefined;
  }
  const actual = snap.digestHex!;
  subject.snapshot_digest = `${algorithm}:${actual}`;
  if (!digestsEqual(actual, hex)) {
    const detail = `${algorithm} ${actual} ≠ manifest ${hex}`;
    run.record(
      'archive',
      'pass',
      `${snap.entries} file entries, ${snap.uncompressedBytes} bytes uncompressed`,
    );
    run.fail(
      'snapshot',
      [
        blockFinding(
          'snapshot-digest-mismatch',
          `the snapshot does not match expected_snapshot_hash: ${detail}`,
          'expected_snapshot_hash',
        ),
      ],
      detail,
    );
    return undefined;
  }
  run.record('snapshot', 'pass', `${algorithm} ${actual} matches (${snap.compressedBytes} bytes)`);
  run.record('archive', 'pass', `${snap.entries} file entries, ${snap.uncompressedBytes} bytes uncompressed`);
  return snap;
}

function backupStep(snap: SnapshotOutcome, run: Run): BackupVerification {
  const b = verifyBackup(snap.records, snap.backupManifests);
  if (b.findings.length > 0) run.fail('backup-manifest', b.findings, b.detail);
  else run.record('backup-manifest', b.hasManifest ? 'pass' : 'skipped', b.detail);
  return b;
}

async function walStep(
  input: ReplicationInput,
  checked: CheckedManifest,
  data: NativeOutcome,
  run: Run,
): Promise<WalFacts> {
  let bytes = data.bytes;
  const out = await verifyWal({
    files: input.wal,
    listed: checked.manifest.wal_files,
    walRanges: data.backup.manifest?.walRanges,
    embedded: data.embeddedWal,
    ...(data.systemId !== undefined ? { systemId: data.systemId } : {}),
    ...(data.segmentSize ? { segmentSizeHint: data.segmentSize } : {}),
    ...(data.chain ? { historyChecks: (h) => chainTimelineFindings(data.chain!, h) } : {}),
    limits: input.limits,
    ...(input.signal ? { signal: input.signal } : {}),
    onBytes: (n) => {
      bytes += n;
      input.onProgress?.(bytes);
    },
  });
  const blocking = out.findings.filter((f) => f.action === 'block');
  if (blocking.length > 0) run.fail('wal', blocking, `${blocking.length} WAL problem(s); ${out.detail}`);
  else run.record('wal', 'pass', out.detail);
  run.findings.push(...out.findings.filter((f) => f.action !== 'block'));
  return out.facts;
}

function policyStep(input: ReplicationInput, run: Run, facts: ReplicationFacts): void {
  let found: Finding[];
  try {
    found = input.policies(facts);
  } catch (e) {
    run.fail('policies', [
      blockFinding(
        'policy-evaluation-error',
        `policy evaluation failed: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
      ),
    ]);
    return;
  }
  run.findings.push(...found);
  const blocking = found.filter((f) => f.action === 'block');
  if (blocking.length > 0) run.record('policies', 'fail', blocking.map((f) => f.rule).join(', '));
  else run.record('policies', 'pass', `${found.length} warning(s)`);
}

/** Releases whatever the pipeline did not read (a no-op for what it already finished). */
function releaseInputs(input: ReplicationInput): void {
  if (input.snapshot) releaseIterator(input.snapshot.stream[Symbol.asyncIterator]());
  if (input.backup) releaseIterator(input.backup.files[Symbol.asyncIterator]());
  for (const p of input.backup?.priors ?? []) releaseIterator(p.files[Symbol.asyncIterator]());
  releaseIterator(input.wal[Symbol.asyncIterator]());
}
