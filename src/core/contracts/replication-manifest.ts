// replication_manifest.yaml (T2 input). The hash fields are plain strings
// here: whether an algorithm is acceptable is the hashing policy's call
// (core/hashing.ts parseDigest), reported with its own rule ids.
import { z } from 'zod';

export const WalFileEntrySchema = z.object({
  name: z.string().min(1).max(255),
  sha256: z.string().min(1).max(200),
  size: z.number().int().nonnegative().optional(),
});
export type WalFileEntry = z.infer<typeof WalFileEntrySchema>;

export const ReplicationManifestSchema = z.object({
  source_db: z.string().min(1).max(253),
  target_db: z.string().min(1).max(253),
  /** The single-archive form: the digest of snapshot.tar.gz. */
  expected_snapshot_hash: z.string().min(1).max(300).optional(),
  /**
   * The native pg_basebackup form: the digest of the backup_manifest file
   * beside the tars; its own checksum and per-file checksums then protect
   * everything inside. Exactly one of the two pins is present.
   */
  expected_backup_manifest_hash: z.string().min(1).max(300).optional(),
  /**
   * An incremental backup's chain (PostgreSQL 17+): the digest of each prior
   * backup's backup_manifest, oldest (the full backup) first. Every link the
   * combined backup is built from is pinned: whoever sends the priors could
   * otherwise choose what the restored cluster holds.
   */
  expected_prior_backup_manifest_hashes: z.array(z.string().min(1).max(300)).min(1).max(64).optional(),
  sync_mode: z.enum(['sync', 'async']),
  /** When present it is exhaustive: every WAL file shipped is listed, nothing else. */
  wal_files: z.array(WalFileEntrySchema).max(100_000).optional(),
  /** Defaults to prod, the stricter environment. */
  env: z.enum(['prod', 'staging']).default('prod'),
});
export type ReplicationManifest = z.infer<typeof ReplicationManifestSchema>;

export const REPLICATION_MANIFEST_FIELDS = Object.keys(ReplicationManifestSchema.shape) as readonly string[];
