// Steps 4-5 in one pass over the single-archive snapshot: hash the
// compressed bytes, gunzip, walk the tar, apply the archive rules, record
// per-entry checksums (archive-pass.ts does the streaming). Memory stays
// constant: chunks are hashed and dropped (only backup_manifest is kept).
import type { ByteSource } from '../ports/artifacts.js';
import type { Finding } from '../contracts/report.js';
import type { StrongAlgorithm } from '../hashing.js';
import { streamArchive } from './archive-pass.js';
import type { ReplicationLimits } from './limits.js';
import { SnapshotWalker } from './snapshot-walker.js';
import type { EntryRecord } from './entry-digests.js';
import type { EmbeddedWal } from './wal-scan.js';
import type { ChecksumPort } from '../ports/checksums.js';

export interface SnapshotOutcome {
  /** Digest of the compressed bytes; only when the whole stream was read. */
  digestHex?: string;
  compressedBytes: number;
  uncompressedBytes: number;
  entries: number;
  records: EntryRecord[];
  backupManifests: Map<string, Uint8Array>;
  /** WAL segments found under pg_wal/ inside the archive. */
  embeddedWal: EmbeddedWal[];
  /** Small files kept for the backup checks (backup_label, global/pg_control), by path. */
  kept: Map<string, Uint8Array>;
  /** Why the pass stopped; `stage` says which step it belongs to. */
  failure?: { finding: Finding; stage: 'snapshot' | 'archive' };
}

export interface StreamOptions {
  signal?: AbortSignal;
  checksums?: ChecksumPort;
  onProgress?: (bytesRead: number, totalBytes?: number) => void;
}

export const STREAM_RULES = new Set([
  'snapshot-read-error',
  'snapshot-budget-exceeded',
  'verification-aborted',
  'deadline-exceeded',
  'internal-error',
]);

export async function streamSnapshot(
  source: ByteSource,
  algorithm: StrongAlgorithm,
  limits: ReplicationLimits,
  opts: StreamOptions = {},
): Promise<SnapshotOutcome> {
  const walker = new SnapshotWalker(limits, opts.checksums ? { checksums: opts.checksums } : {});
  const r = await streamArchive(source, walker, limits, {
    algorithm,
    // The single archive is snapshot.tar.gz by contract (DESIGN.md "T2 input").
    accept: ['gzip'],
    label: 'the snapshot',
    currentPath: () => walker.currentPath,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onBytes: (n: number) => opts.onProgress!(n, source.size) } : {}),
  });
  const out: SnapshotOutcome = {
    compressedBytes: r.compressed,
    uncompressedBytes: r.uncompressed,
    entries: walker.records.length,
    records: walker.records,
    backupManifests: walker.backupManifests,
    embeddedWal: walker.embeddedWal,
    kept: walker.kept,
  };
  if (r.finding)
    out.failure = { finding: r.finding, stage: STREAM_RULES.has(r.finding.rule) ? 'snapshot' : 'archive' };
  else out.digestHex = r.digestHex!;
  return out;
}
