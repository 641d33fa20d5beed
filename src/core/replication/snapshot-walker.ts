// The tar visitor of the snapshot pass: applies the archive safety rules,
// records {size, checksums} per file and keeps the (small, capped)
// backup_manifest bytes. Entry data itself is hashed and dropped.
import { ArchiveSafety } from './archive-safety.js';
import { DEFAULT_ENTRY_ALGORITHMS, EntryHasher, PG_CHECKSUM_ALGORITHMS, type EntryRecord, type PgChecksumAlgorithm } from './entry-digests.js';
import { fail, safeName } from './findings.js';
import type { ReplicationLimits } from './limits.js';
import type { TarEntry, TarVisitor } from './tar-reader.js';

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
  private capture: { path: string; chunks: Uint8Array[]; bytes: number } | undefined;
  /** The entry being read, for messages ("while inflating entry X"). */
  currentPath: string | undefined;

  constructor(private readonly limits: ReplicationLimits) {
    this.safety = new ArchiveSafety(limits);
  }

  entry(e: TarEntry): void {
    this.currentPath = e.path;
    const path = this.safety.check(e);
    if (e.kind !== 'file') return;
    this.hasher = new EntryHasher(path, this.algorithms);
    if (isBackupManifestPath(path)) {
      if (e.size > this.limits.maxBackupManifestBytes) {
        fail('backup-manifest-invalid', `${safeName(path)} is ${e.size} bytes; the limit is ${this.limits.maxBackupManifestBytes}`, path);
      }
      this.capture = { path, chunks: [], bytes: 0 };
    }
  }

  data(chunk: Uint8Array): void {
    this.hasher?.update(chunk);
    if (this.capture) {
      this.capture.chunks.push(Buffer.from(chunk));
      this.capture.bytes += chunk.length;
    }
  }

  entryEnd(): void {
    if (this.hasher) this.records.push(this.hasher.finish());
    this.hasher = undefined;
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
    const named = PG_CHECKSUM_ALGORITHMS.filter((a) => text.includes(`"Checksum-Algorithm": "${a}"`) || text.includes(`"Checksum-Algorithm":"${a}"`));
    if (named.length > 0) this.algorithms = new Set(named);
  }
}
