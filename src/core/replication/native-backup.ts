// The native-backup branch of the T2 pipeline (steps snapshot → archive →
// backup-manifest): the backup_manifest's digest against
// expected_backup_manifest_hash, its own checksum, every tar of the
// directory walked once (backup-set.ts), then the exact file set, sizes and
// checksums across all tars, the tablespace tars against the manifest, and
// the backup's identity (backup-identity.ts). WAL and restorability follow
// in the pipeline's WAL step.
import { createHash } from 'node:crypto';
import type { Subject } from '../contracts/report.js';
import { digestsEqual, shortHex, type StrongAlgorithm } from '../hashing.js';
import { checkIdentity } from './backup-identity.js';
import { parseBackupManifest } from './backup-manifest.js';
import { streamBackupSet, type BackupFileSource } from './backup-set.js';
import { compareFiles, type BackupVerification } from './backup-verify.js';
import { blockFinding, safeName } from './findings.js';
import type { ReplicationLimits } from './limits.js';
import type { ChecksumPort } from '../ports/checksums.js';
import type { Run } from './run.js';
import type { TarWalkRunner } from './tar-walk.js';
import type { EmbeddedWal } from './wal-scan.js';

export interface NativeBackupInput {
  /** backup_manifest, exact bytes (pinned by expected_backup_manifest_hash). */
  manifestBytes: Uint8Array;
  /** The tars of the directory, by name there, in any order; each consumed once. */
  files: AsyncIterable<BackupFileSource>;
  /** Tars decoded at once (files on disk: the machine's cores; one request body: 1). */
  parallel?: number;
  /** Where each tar is walked: a worker pool from the composition root, else this thread. */
  walk?: TarWalkRunner;
}

/** What the WAL step needs from either branch. */
export interface NativeOutcome {
  backup: BackupVerification;
  embeddedWal: EmbeddedWal[];
  bytes: number;
  systemId?: bigint;
  /** From backup_label, for a backup that carries no WAL of its own. */
  segmentSize?: number;
}

export interface NativeOptions {
  limits: ReplicationLimits;
  checksums?: ChecksumPort;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes?: number) => void;
}

export async function nativeBackupSteps(
  input: NativeBackupInput | undefined,
  pin: { algorithm: StrongAlgorithm; hex: string },
  run: Run,
  subject: Subject,
  opts: NativeOptions,
): Promise<NativeOutcome | undefined> {
  if (!input) {
    run.fail('snapshot', [
      blockFinding(
        'backup-missing',
        'the manifest pins a backup_manifest (expected_backup_manifest_hash) but no backup directory was sent (backup_manifest and its tars)',
      ),
    ]);
    return undefined;
  }
  if (input.manifestBytes.byteLength > opts.limits.maxBackupManifestBytes) {
    run.fail('snapshot', [
      blockFinding(
        'backup-manifest-invalid',
        `backup_manifest is ${input.manifestBytes.byteLength} bytes; the limit is ${opts.limits.maxBackupManifestBytes}`,
      ),
    ]);
    return undefined;
  }
  const actual = createHash(pin.algorithm).update(input.manifestBytes).digest('hex');
  subject.snapshot_digest = `${pin.algorithm}:${actual}`;
  if (!digestsEqual(actual, pin.hex)) {
    const detail = `${pin.algorithm} ${shortHex(actual)} ≠ manifest ${shortHex(pin.hex)}`;
    run.fail(
      'snapshot',
      [
        blockFinding(
          'backup-manifest-digest-mismatch',
          `backup_manifest does not match expected_backup_manifest_hash: ${detail}`,
          'expected_backup_manifest_hash',
        ),
      ],
      detail,
    );
    return undefined;
  }
  run.record(
    'snapshot',
    'pass',
    `backup_manifest ${pin.algorithm} ${shortHex(actual)} matches (${input.manifestBytes.byteLength} bytes)`,
  );
  const parsed = parseBackupManifest(input.manifestBytes);
  if (!parsed.ok) {
    run.fail('backup-manifest', [blockFinding(parsed.rule, parsed.message, 'backup_manifest')]);
    return undefined;
  }
  const manifest = parsed.manifest;
  let bytes = input.manifestBytes.byteLength;
  const set = await streamBackupSet(input.files, {
    limits: opts.limits,
    manifest,
    parallel: input.parallel ?? 1,
    ...(input.walk ? { walk: input.walk } : {}),
    ...(opts.checksums ? { checksums: opts.checksums } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onBytes: (n) => {
      bytes += n;
      opts.onProgress?.(bytes);
    },
  });
  if (set.failure) {
    run.fail('archive', [set.failure]);
    return undefined;
  }
  const tars = set.tars
    .map((t) => `${t.name} (${t.compression})`)
    .sort()
    .join(', ');
  run.record(
    'archive',
    'pass',
    `${set.tars.length} tar(s): ${tars}; ${set.records.length} file entries, ${set.uncompressed} bytes uncompressed`,
  );
  const findings = [
    ...compareFiles(manifest.files, set.records, ''),
    ...tablespaceFindings(
      manifest.files.map((f) => f.path),
      set.tars.map((t) => t.name),
    ),
  ];
  const identity = checkIdentity(manifest, set.kept, true);
  findings.push(...identity.findings);
  const verified = findings.length === 0;
  const detail = verified
    ? `backup_manifest v${manifest.version}: ${manifest.files.length} files verified across ${set.tars.length} tar(s)`
    : `${findings.length} backup_manifest problem(s)`;
  const backup: BackupVerification = { hasManifest: true, verified, manifest, findings, detail };
  if (!verified) {
    run.fail('backup-manifest', findings, detail);
    return undefined;
  }
  run.record('backup-manifest', 'pass', detail);
  return {
    backup,
    embeddedWal: set.embeddedWal,
    bytes,
    ...(identity.systemId !== undefined ? { systemId: identity.systemId } : {}),
    ...(identity.label?.segmentSize ? { segmentSize: identity.label.segmentSize } : {}),
  };
}

/**
 * The manifest lists files of a tablespace whose tar was not sent. (A tar the
 * manifest knows nothing of is caught file by file as backup-file-extra; an
 * empty tablespace's tar holds only directories and is fine.)
 */
function tablespaceFindings(
  paths: readonly string[],
  tarNames: readonly string[],
): ReturnType<typeof blockFinding>[] {
  const inManifest = new Set(
    paths.map((p) => /^pg_tblspc\/([0-9]+)\//.exec(p)?.[1]).filter((x): x is string => x !== undefined),
  );
  const sent = new Set(
    tarNames.map((n) => /^([0-9]+)\.tar/.exec(n)?.[1]).filter((x): x is string => x !== undefined),
  );
  const out = [];
  for (const oid of inManifest)
    if (!sent.has(oid))
      out.push(
        blockFinding(
          'backup-tar-missing',
          `backup_manifest lists files of tablespace ${oid} but ${safeName(`${oid}.tar`)} was not sent`,
          `${oid}.tar`,
        ),
      );
  return out;
}
