// Reads a T2 multipart body in arrival order: manifest and signature in
// memory (small, capped), then the snapshot and WAL parts handed on as
// streams, never buffered whole. Used by the REST route and the UI form.
import type { Readable } from 'node:stream';
import { GateError } from '../../core/errors.js';
import type { ByteSource } from '../../core/ports/artifacts.js';
import type { ReplicationRequest } from '../../services/validation/validate-replication.js';
import type { IncomingMessage } from 'node:http';
import type { ReplicationLimits } from '../../core/replication/pipeline.js';
import { bodyDeadlineAsProgress } from './body-deadline.js';
import { readPart, streamParts, type StreamedPart } from './multipart-stream.js';
import { quotedName } from '../../core/safe-text.js';

const SMALL_PART = 1024 * 1024;
const SIGNATURE_PART = 64 * 1024;

export interface ReplicationPartsOptions {
  /**
   * Browser forms send a part with no filename for an optional file input
   * left empty: skip those. API clients get no such leniency (an unnamed WAL
   * part is refused by the core, naming it).
   */
  skipEmptyFileInputs: boolean;
}

/** A T2 body's parts as they arrive: manifest, signature or dsse, snapshot, then at most maxWalFiles WAL files. */
export function replicationPartStream(
  req: IncomingMessage,
  limits: ReplicationLimits,
  /** Parts the caller reads itself first (the UI form's CSRF field). */
  extraParts = 0,
): AsyncGenerator<StreamedPart> {
  // A multi-GB upload may take long: the body deadline only asks that it keeps moving.
  bodyDeadlineAsProgress(req);
  return streamParts(req, {
    maxParts: limits.maxWalFiles + 4 + extraParts,
    maxPartBytes: limits.maxCompressedBytes,
  });
}

const SMALL_PARTS = new Set(['replication_manifest', 'signature', 'dsse', 'backup_manifest']);

/** The small parts read so far (any order), before the first data part. */
interface SmallParts {
  manifestBytes?: Buffer;
  signature?: ReplicationRequest['signature'];
  backupManifest?: Buffer;
}

export async function readReplicationParts(
  parts: AsyncGenerator<StreamedPart>,
  opts: ReplicationPartsOptions,
  limits?: Pick<ReplicationLimits, 'maxBackupManifestBytes'>,
): Promise<ReplicationRequest> {
  const small: SmallParts = {};
  for (;;) {
    const next = await parts.next();
    if (next.done)
      throw new GateError(
        'missing-part',
        small.manifestBytes
          ? 'multipart part "snapshot" is missing (or, for a pg_basebackup directory, the "backup_manifest" and "backup_file" parts)'
          : 'multipart part "replication_manifest" is missing',
      );
    const part = next.value;
    if (SMALL_PARTS.has(part.name)) await readSmallPart(part, small, opts, limits);
    else if (part.name === 'backup_file') return backupRequest(parts, part, small, opts);
    else if (part.name === 'snapshot') return snapshotRequest(parts, part, small, opts);
    else if (part.name.startsWith('prior_')) {
      part.stream.resume();
      throw new GateError(
        'bad-request',
        'an incremental backup with its prior backups is sent as JSON (backup_url with prior_backup_urls, oldest first, from shared storage): a multipart body carries one backup directory',
      );
    } else {
      part.stream.resume();
      throw new GateError(
        'bad-request',
        `unexpected multipart part ${quotedName(part.name)} before the snapshot; expected replication_manifest, signature or dsse, backup_manifest, then snapshot or backup_file parts, then wal_files`,
      );
    }
  }
}

async function readSmallPart(
  part: StreamedPart,
  small: SmallParts,
  opts: ReplicationPartsOptions,
  limits?: Pick<ReplicationLimits, 'maxBackupManifestBytes'>,
): Promise<void> {
  if (part.name === 'backup_manifest') {
    if (small.backupManifest)
      throw new GateError('bad-request', 'multipart part "backup_manifest" appears twice');
    small.backupManifest = await readPart(part, limits?.maxBackupManifestBytes ?? 128 * SMALL_PART);
  } else if (part.name === 'replication_manifest') {
    if (small.manifestBytes)
      throw new GateError('bad-request', 'multipart part "replication_manifest" appears twice');
    small.manifestBytes = await readPart(part, SMALL_PART);
  } else {
    const bytes = await readPart(part, SIGNATURE_PART);
    if (bytes.length === 0 && opts.skipEmptyFileInputs) return;
    if (small.signature)
      throw new GateError(
        'bad-request',
        'send one signature part: "signature" (detached) or "dsse" (envelope)',
      );
    small.signature = { kind: signatureKind(part.name, bytes), bytes };
  }
}

function snapshotRequest(
  parts: AsyncGenerator<StreamedPart>,
  part: StreamedPart,
  small: SmallParts,
  opts: ReplicationPartsOptions,
): ReplicationRequest {
  if (!small.manifestBytes || small.manifestBytes.length === 0)
    throw new GateError('bad-request', 'multipart part "replication_manifest" must come before "snapshot"');
  if (small.backupManifest)
    throw new GateError(
      'bad-request',
      'send either "snapshot" (one archive) or "backup_manifest" with "backup_file" parts (a pg_basebackup directory), not both',
    );
  return {
    manifestBytes: small.manifestBytes,
    ...(small.signature ? { signature: small.signature } : {}),
    snapshot: partSource(part),
    wal: walParts(parts, opts),
  };
}

function backupRequest(
  parts: AsyncGenerator<StreamedPart>,
  part: StreamedPart,
  small: SmallParts,
  opts: ReplicationPartsOptions,
): ReplicationRequest {
  if (!small.manifestBytes || small.manifestBytes.length === 0)
    throw new GateError(
      'bad-request',
      'multipart part "replication_manifest" must come before the "backup_file" parts',
    );
  if (!small.backupManifest)
    throw new GateError(
      'bad-request',
      'multipart part "backup_manifest" must come before the "backup_file" parts (it says what the tars must hold)',
    );
  if (part.filename === undefined)
    throw new GateError(
      'bad-request',
      'each "backup_file" part needs a filename: its name in the backup directory (base.tar.zst, 16384.tar, pg_wal.tar)',
    );
  const rest = new PartsAfterBackup(parts, part);
  return {
    manifestBytes: small.manifestBytes,
    ...(small.signature ? { signature: small.signature } : {}),
    backup: { manifestBytes: small.backupManifest, files: rest.backupFiles(), parallel: 1 },
    wal: rest.walFiles(opts),
  };
}

/** A small part after the streamed ones cannot be used: the pipeline has already started on the data. */
function lateSmallPart(name: string, after: string): GateError {
  return new GateError(
    'bad-request',
    `multipart part ${quotedName(name)} came after ${after}: send replication_manifest, the signature and backup_manifest (in any order) before the data parts; curl sends -F parts in the order they are given`,
  );
}

/** The backup_file parts, then the wal_files parts, of one body: one generator, handed over at the first wal_files part. */
class PartsAfterBackup {
  private pendingWal: StreamedPart | undefined;
  private backupDone = false;

  constructor(
    private readonly parts: AsyncGenerator<StreamedPart>,
    private readonly first: StreamedPart,
  ) {}

  async *backupFiles(): AsyncGenerator<{ name: string; source: ByteSource }> {
    yield { name: this.first.filename!, source: partSource(this.first) };
    for (;;) {
      const next = await this.parts.next();
      if (next.done) break;
      const part = next.value;
      if (part.name === 'wal_files') {
        this.pendingWal = part;
        break;
      }
      if (part.name !== 'backup_file') {
        part.stream.resume();
        throw SMALL_PARTS.has(part.name)
          ? lateSmallPart(part.name, 'the "backup_file" parts')
          : new GateError(
              'bad-request',
              `unexpected multipart part ${quotedName(part.name)} among the backup_file parts; only backup_file, then wal_files, may follow`,
            );
      }
      if (part.filename === undefined) {
        part.stream.resume();
        throw new GateError(
          'bad-request',
          'each "backup_file" part needs a filename: its name in the backup directory',
        );
      }
      yield { name: part.filename, source: partSource(part) };
    }
    this.backupDone = true;
  }

  async *walFiles(opts: ReplicationPartsOptions): AsyncGenerator<{ name: string; source: ByteSource }> {
    // The pipeline reads WAL only after every tar; an early call finds nothing to hand on.
    if (!this.backupDone) return;
    if (this.pendingWal) {
      const p = this.pendingWal;
      this.pendingWal = undefined;
      if (p.filename === undefined && opts.skipEmptyFileInputs) p.stream.resume();
      else yield { name: p.filename ?? '', source: partSource(p) };
    }
    yield* walParts(this.parts, opts);
  }
}

/** A part named `dsse` is an envelope; so is a `signature` part holding JSON (a detached base64 signature never starts with "{"). */
function signatureKind(name: string, bytes: Buffer): 'dsse' | 'detached' {
  return name === 'dsse' || bytes.toString('utf8').trimStart().startsWith('{') ? 'dsse' : 'detached';
}

function partSource(part: StreamedPart): ByteSource {
  return { stream: part.stream as Readable & AsyncIterable<Uint8Array>, name: part.filename ?? part.name };
}

/** WAL parts after the snapshot; the filename is the WAL name (checked by the core, never used as a path). */
async function* walParts(
  parts: AsyncGenerator<StreamedPart>,
  opts: ReplicationPartsOptions,
): AsyncGenerator<{ name: string; source: ByteSource }> {
  for await (const part of { [Symbol.asyncIterator]: () => parts }) {
    if (part.name !== 'wal_files') {
      part.stream.resume();
      if (SMALL_PARTS.has(part.name)) throw lateSmallPart(part.name, 'the data parts');
      throw new GateError(
        'bad-request',
        `unexpected multipart part ${quotedName(part.name)} after the snapshot; only wal_files may follow`,
      );
    }
    if (part.filename === undefined && opts.skipEmptyFileInputs) {
      part.stream.resume();
      continue;
    }
    yield { name: part.filename ?? '', source: partSource(part) };
  }
}
