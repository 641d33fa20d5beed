// Every read in the T2 pipeline is bounded. The defaults suit a production
// database snapshot; tests and examples pass tighter ones.

export interface ReplicationLimits {
  /** replication_manifest.yaml size. */
  maxManifestBytes: number;
  /** YAML alias expansions (billion-laughs guard). */
  maxAliasCount: number;
  /** Detached signature or DSSE envelope size. */
  maxSignatureBytes: number;
  /** Compressed snapshot bytes read. */
  maxCompressedBytes: number;
  /** Uncompressed tar bytes produced by gunzip. */
  maxUncompressedBytes: number;
  /** Uncompressed/compressed ratio above which the stream is a gzip bomb... */
  maxCompressionRatio: number;
  /** ...once at least this many bytes were inflated (tiny tars compress absurdly well). */
  compressionRatioFloorBytes: number;
  /** Tar entries (bounds the per-entry records kept for backup_manifest). */
  maxEntries: number;
  /** Entry path length in bytes, after PAX/GNU long-name expansion. */
  maxPathLength: number;
  /** One PAX extended header. */
  maxPaxHeaderBytes: number;
  /** The embedded PostgreSQL backup_manifest, kept in memory to parse. */
  maxBackupManifestBytes: number;
  /** WAL files received. */
  maxWalFiles: number;
  /** One WAL file (segments are at most 1 GiB). */
  maxWalFileBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const DEFAULT_REPLICATION_LIMITS: Readonly<ReplicationLimits> = Object.freeze({
  maxManifestBytes: 1 * MiB,
  maxAliasCount: 20,
  maxSignatureBytes: 64 * KiB,
  maxCompressedBytes: 256 * GiB,
  maxUncompressedBytes: 1024 * GiB,
  // Database files compress 2-20x; empty relation segments and zeroed WAL more.
  // A deliberate bomb is ~1000x.
  maxCompressionRatio: 200,
  compressionRatioFloorBytes: 8 * MiB,
  maxEntries: 500_000,
  maxPathLength: 4 * KiB,
  maxPaxHeaderBytes: 64 * KiB,
  maxBackupManifestBytes: 128 * MiB,
  maxWalFiles: 100_000,
  maxWalFileBytes: 1 * GiB + 64 * KiB,
});
