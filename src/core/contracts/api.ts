// Request bodies of the REST API (the OpenAPI document is generated from these).
import { z } from 'zod';

export const MigrationJsonRequestSchema = z
  .object({
    manifest: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .describe('migration_manifest.json as an object, or its exact text'),
    config: z.string().describe('app-config.yaml (or JSON) text; its UTF-8 bytes are hashed'),
    manifest_signature: z
      .string()
      .optional()
      .describe('detached signature (base64) over the exact manifest text; needs manifest as a string'),
    manifest_dsse: z
      .union([z.record(z.string(), z.unknown()), z.string()])
      .optional()
      .describe(
        'DSSE envelope (payloadType application/vnd.migrationgate.migration-manifest+json) whose payload is the exact manifest text',
      ),
  })
  .strict();

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string(),
  detail: z.string(),
  request_id: z.string(),
  decision: z.literal('BLOCK').optional(),
  reasons: z.array(z.string()).optional(),
});

export const ReplicationJsonRequestSchema = z
  .object({
    manifest: z.string().describe('replication_manifest.yaml text; a signature covers its UTF-8 bytes'),
    signature: z.string().optional().describe('detached base64 signature over the manifest bytes'),
    dsse: z.string().optional().describe('DSSE envelope (JSON text) whose payload is the manifest'),
    snapshot_url: z
      .string()
      .optional()
      .describe('file:// under GATE_ARTIFACT_ROOT or https:// on a host in GATE_ARTIFACT_HOSTS'),
    backup_url: z
      .string()
      .optional()
      .describe(
        'a pg_basebackup output directory (-Ft or -Fp), file://…/ under GATE_ARTIFACT_ROOT; exactly one of snapshot_url and backup_url',
      ),
    prior_backup_urls: z
      .array(z.string())
      .min(1)
      .max(64)
      .optional()
      .describe(
        "an incremental backup's prior backups, oldest (the full backup) first: pg_basebackup directories, file://…/ under GATE_ARTIFACT_ROOT, each pinned in expected_prior_backup_manifest_hashes",
      ),
    wal_files: z
      .array(z.object({ name: z.string().min(1), url: z.string() }).strict())
      .max(100_000)
      .optional(),
  })
  .strict();
export type ReplicationJsonRequest = z.infer<typeof ReplicationJsonRequestSchema>;
