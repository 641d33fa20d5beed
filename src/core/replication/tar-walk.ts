// One tar of a native backup, walked: decoded, read with the archive rules,
// every entry hashed with the algorithms the backup_manifest names. The
// result is plain data (structured-clone safe: no classes, no functions), so
// the walk can run in this thread or, injected by the composition root
// (TarWalkRunner), in a worker thread on another core; backup-set.ts merges
// the results in the order the tars were sent, whichever finished first.
import type { Finding } from '../contracts/report.js';
import type { ByteSource } from '../ports/artifacts.js';
import type { ChecksumPort } from '../ports/checksums.js';
import { streamArchive } from './archive-pass.js';
import { COMPRESSIONS, type Compression } from './compression.js';
import type { EntryRecord, PgChecksumAlgorithm } from './entry-digests.js';
import type { ReplicationLimits } from './limits.js';
import { SnapshotWalker, type IncrementalRecord } from './snapshot-walker.js';
import type { EmbeddedWal } from './wal-scan.js';

export interface TarJob {
  /** The file's name in the backup directory (base.tar.zst, 16384.tar, pg_wal.tar.gz). */
  name: string;
  /** Prepended to every entry path ("" for base, pg_wal/, pg_tblspc/<oid>/). */
  prefix: string;
  algorithms: readonly PgChecksumAlgorithm[];
  limits: ReplicationLimits;
}

export interface TarWalk {
  /** Set when the tar is refused (or could not be read); the rest is then partial. */
  finding?: Finding;
  /** What the bytes are (undefined when none could be read). */
  compression?: Compression;
  compressed: number;
  uncompressed: number;
  records: EntryRecord[];
  embeddedWal: EmbeddedWal[];
  kept: Map<string, Uint8Array>;
  /** Every INCREMENTAL.* file's header (PostgreSQL 17+ incremental backups), or what is wrong with it. */
  incrementals: IncrementalRecord[];
}

export interface TarWalkOptions {
  signal?: AbortSignal;
  /** Compressed bytes read so far in this tar (cumulative). */
  onBytes?: (compressedBytes: number) => void;
  /** Native checksums (a worker thread brings its own). */
  checksums?: ChecksumPort;
}

/** A tar refused before or instead of its walk: nothing read counts. */
export function failedWalk(finding: Finding): TarWalk {
  return {
    finding,
    compressed: 0,
    uncompressed: 0,
    records: [],
    embeddedWal: [],
    kept: new Map(),
    incrementals: [],
  };
}

/** Walks one tar: here (walkTarHere) or in a worker thread (adapters/workers/). Never rejects. */
export type TarWalkRunner = (job: TarJob, source: ByteSource, opts: TarWalkOptions) => Promise<TarWalk>;

export const walkTarHere: TarWalkRunner = async (job, source, opts) => {
  const walker = new SnapshotWalker(job.limits, {
    prefix: job.prefix,
    from: job.name,
    manifestInside: false,
    ...(opts.checksums ? { checksums: opts.checksums } : {}),
  });
  walker.useAlgorithms(job.algorithms);
  const r = await streamArchive(source, walker, job.limits, {
    accept: COMPRESSIONS,
    label: job.name,
    currentPath: () => walker.currentPath,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
  });
  return {
    ...(r.finding ? { finding: r.finding } : {}),
    ...(r.compression ? { compression: r.compression } : {}),
    compressed: r.compressed,
    uncompressed: r.uncompressed,
    records: walker.records,
    embeddedWal: walker.embeddedWal,
    kept: walker.kept,
    incrementals: walker.incrementals,
  };
};
