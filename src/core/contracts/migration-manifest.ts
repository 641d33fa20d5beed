// migration_manifest.json: the signed-off description of a config (T1).
import { z } from 'zod';

export const EnvironmentSchema = z.enum(['prod', 'staging']);
export type Environment = z.infer<typeof EnvironmentSchema>;

export const MIGRATION_MANIFEST_FIELDS = ['app_id', 'env', 'version', 'config_sha256'] as const;

/** Shape only; the digest policy (outdated algorithms) is applied by the pipeline. */
export const MigrationManifestSchema = z
  .object({
    app_id: z.string().min(1, 'must be a non-empty string'),
    env: EnvironmentSchema,
    version: z.string().min(1, 'must be a non-empty string'),
    config_sha256: z.string().min(1, 'must be a non-empty string'),
  })
  .loose();
export type MigrationManifest = z.infer<typeof MigrationManifestSchema>;
