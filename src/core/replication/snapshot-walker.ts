// The tar visitor of the snapshot pass: applies the archive safety rules,
// records {size, checksums} per file and keeps the (small, capped)
// backup_manifest bytes. Entry data itself is hashed and dropped.
import type { ChecksumPort } from '../ports/checksums.js';
import { ArchiveSafety } from './archive-safety.js';
import {
  DEFAULT_ENTRY_ALGORITHMS,
  EntryHasher,
  PG_CHECKSUM_ALGORITHMS,
  type EntryRecord,
  type PgChecksumAlgorithm,
} from './entry-digests.js';
import { fail, safeName } from './findings.js';
import type { ReplicationLimits } from './limits.js';
import type { TarEntry, TarVisitor } from './tar-reader.js';
import { parseWalName } from './wal-name.js';
import { WalPageScanner, type EmbeddedWal } from './wal-scan.js';
import { IncrementalHeaderScan, isIncrementalPath, type IncrementalHeader } from './incremental-file.js';

/** An INCREMENTAL.* file's header as read, or what is wrong with it (the chain check names the link). */
export type IncrementalRecord = IncrementalHeader | { path: string; problem: string };

/** pg_wal/<segment> anywhere the backup root may be ("" or one top-level dir). */
const EMBEDDED_WAL = /^(?:[^/]+\/)?pg_wal\/([0-9A-F]{24}(?:\.partial)?)$/;
/** Small files the backup checks read (backup-files.ts), kept whole. */
/** pg_wal/<TLI>.history: the timeline history a restore follows; checked as the WAL sent is. */
const EMBEDDED_HISTORY = /^(?:[^/]+\/)?pg_wal\/([0-9A-F]{8}\.history)$/;
const MAX_HISTORY_BYTES = 64 * 1024;
const KEPT = /^(?:[^/]+\/)?(backup_label|global\/pg_control|tablespace_map)$/;
const MAX_KEPT_BYTES = 64 * 1024;

export interface WalkerOptions {
  /** Prepended to every path (a tablespace tar's entries live under pg_tblspc/<oid>/, pg_wal.tar's under pg_wal/). */
  prefix?: string;
  /** The tar's name, for messages. */
  from?: string;
  /** Accept backup_manifest only outside the tar (native backups carry it beside the tars). */
  manifestInside?: boolean;
  /** Native checksum implementations (the composition root's); absent: the core's own. */
  checksums?: ChecksumPort;
}

/** backup_manifest at the archive root, or inside one top-level directory (tar -C parent dir). */
export function isBackupManifestPath(path: string): boolean {
  return path === 'backup_manifest' || /^[^/]+\/backup_manifest$/.test(path);
}

export class SnapshotWalker implements TarVisitor {
  readonly records: EntryRecord[] = [];
  readonly backupManifests = new Map<string, Uint8Array>();
  private readonly safety: ArchiveSafety;
  private algorithms = new Set<PgChecksumAlgorithm>(DEFAULT_ENTRY_ALGORITHMS);
  private hasher: EntryHasher | undefined;
  private capture: { path: string; chunks: Uint8Array[]; bytes: number; kept?: boolean } | undefined;
  private wal: { name: string; scan: WalPageScanner } | undefined;
  private history: { name: string; chunks: Buffer[]; bytes: number } | undefined;
  readonly embeddedWal: EmbeddedWal[] = [];
  private incremental: IncrementalHeaderScan | undefined;
  readonly incrementals: IncrementalRecord[] = [];
  readonly kept = new Map<string, Uint8Array>();
  /** The entry being read, for messages ("while inflating entry X"). */
  currentPath: string | undefined;

  constructor(
    private readonly limits: ReplicationLimits,
    private readonly opts: WalkerOptions = {},
  ) {
    this.safety = new ArchiveSafety(limits);
  }

  /** Once the backup_manifest is known (native backups: before any tar), entries get exactly the checksums it names. */
  useAlgorithms(named: readonly PgChecksumAlgorithm[]): void {
    this.algorithms = new Set(named.length > 0 ? named : DEFAULT_ENTRY_ALGORITHMS);
  }

  entry(e: TarEntry): void {
    this.currentPath = e.path;
    const path = (this.opts.prefix ?? '') + this.safety.check(e);
    if (e.kind !== 'file') return;
    this.hasher = new EntryHasher(path, this.algorithms, this.opts.checksums);
    const wal = EMBEDDED_WAL.exec(path);
    if (wal) this.startWal(wal[1]!);
    const history = EMBEDDED_HISTORY.exec(path);
    if (history) this.history = { name: history[1]!, chunks: [], bytes: 0 };
    if (isIncrementalPath(path)) this.incremental = new IncrementalHeaderScan(path);
    const kept = KEPT.exec(path);
    if (kept && e.size <= MAX_KEPT_BYTES) this.capture = { path, chunks: [], bytes: 0, kept: true };
    if (this.opts.manifestInside !== false && isBackupManifestPath(path)) {
      if (e.size > this.limits.maxBackupManifestBytes) {
        fail(
          'backup-manifest-invalid',
          `${safeName(path)} is ${e.size} bytes; the limit is ${this.limits.maxBackupManifestBytes}`,
          path,
        );
      }
      this.capture = { path, chunks: [], bytes: 0 };
    }
  }

  private startWal(name: string): void {
    const parsed = parseWalName(name);
    if (parsed?.kind !== 'segment') return;
    this.wal = { name, scan: new WalPageScanner(parsed) };
  }

  data(chunk: Uint8Array): void {
    this.hasher?.update(chunk);
    this.wal?.scan.update(chunk);
    this.incremental?.update(chunk);
    if (this.history) {
      this.history.bytes += chunk.length;
      if (this.history.bytes > MAX_HISTORY_BYTES)
        fail(
          'wal-history-invalid',
          `${safeName(this.history.name)} (${this.opts.from ?? 'the snapshot'}) is larger than ${MAX_HISTORY_BYTES} bytes`,
          this.history.name,
        );
      this.history.chunks.push(Buffer.from(chunk));
    }
    if (this.capture) {
      this.capture.chunks.push(Buffer.from(chunk));
      this.capture.bytes += chunk.length;
    }
  }

  entryEnd(): void {
    if (this.hasher) this.records.push(this.hasher.finish());
    this.hasher = undefined;
    if (this.wal)
      this.embeddedWal.push({
        name: this.wal.name,
        from: this.opts.from ?? 'the snapshot',
        ...this.wal.scan.finish(),
      });
    this.wal = undefined;
    if (this.incremental) {
      const h = this.incremental.finish();
      this.incrementals.push(typeof h === 'string' ? { path: this.incremental.path, problem: h } : h);
      this.incremental = undefined;
    }
    if (this.history) {
      const text = Buffer.concat(this.history.chunks);
      this.embeddedWal.push({
        name: this.history.name,
        from: this.opts.from ?? 'the snapshot',
        size: text.length,
        head: new Uint8Array(0),
        validBytes: 0,
        text: text.toString('utf8'),
      });
      this.history = undefined;
    }
    if (this.capture?.kept) {
      this.kept.set(this.capture.path, Buffer.concat(this.capture.chunks));
      this.capture = undefined;
    }
    if (this.capture) {
      const bytes = Buffer.concat(this.capture.chunks);
      this.backupManifests.set(this.capture.path, bytes);
      this.capture = undefined;
      this.learnAlgorithms(bytes);
    }
  }

  /** Once the manifest is known, later entries get exactly the checksums it names. */
  private learnAlgorithms(bytes: Uint8Array): void {
    const text = Buffer.from(bytes).toString('utf8');
    const named = PG_CHECKSUM_ALGORITHMS.filter(
      (a) => text.includes(`"Checksum-Algorithm": "${a}"`) || text.includes(`"Checksum-Algorithm":"${a}"`),
    );
    if (named.length > 0) this.algorithms = new Set(named);
  }
}
