// The MigrationRequest custom resource (migrationgate.io/v1alpha1): the T2
// replication manifest in camelCase plus where the artifacts are, and
// optionally (`config`) the app config the migrated app will run with and
// its signed-off T1 manifest. The CRD in deploy/crds/migrationrequests.yaml
// mirrors this schema (a test checks it).
//
// Which bytes the signature covers: when `signature.manifestUrl` is given,
// the exact replication_manifest.yaml found there (what `cosign sign-blob`
// signed); the spec must then say the same thing as that file. Without it,
// the manifest is the RFC 8785 canonical JSON of the snake_case fields.
import { z } from 'zod';
import { canonicalJson } from '../hashing.js';
import { isPlainObject } from '../strict-parse.js';

const url = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^(file:\/\/\/|https:\/\/)/, 'must be a file:/// or https:// URL');

/**
 * The T1 half: where the app config is, and the T1 migration manifest, in
 * exactly one of two forms:
 * - `manifest`: camelCase fields without `env`. The request has one
 *   environment, spec.env: a second one here could only disagree with it,
 *   e.g. judge a prod migration's config by the looser staging rules. It
 *   cannot be signed: a signature covers bytes, and which serialisation of
 *   these fields was signed would be ours to guess.
 * - `manifestJson`: the exact text of migration_manifest.json (its UTF-8
 *   bytes, as the apiserver stores the string), the file
 *   `migration-gate manifest sign` signed. Its `env` must be spec.env.
 * `signature` (issue 12) covers those bytes: a base64 detached signature, or
 * a DSSE envelope whose payload is them; it needs `manifestJson`.
 */
export const ConfigReferenceSchema = z
  .object({
    url,
    manifest: z
      .object({
        appId: z.string().min(1).max(253),
        version: z.string().min(1).max(128),
        configSha256: z.string().min(1).max(300),
      })
      .strict()
      .optional(),
    manifestJson: z.string().min(1).max(65_536).optional(),
    signature: z
      .object({
        format: z.enum(['detached', 'dsse']),
        /** Base64 detached signature over manifestJson's bytes, or the DSSE envelope JSON. */
        value: z.string().min(1).max(65_536),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (c) => (c.manifest === undefined) !== (c.manifestJson === undefined),
    'exactly one of config.manifest and config.manifestJson',
  )
  .refine(
    (c) => c.signature === undefined || c.manifestJson !== undefined,
    "config.signature covers exact manifest bytes: give the manifest as config.manifestJson (the signed file's text), not as the structured config.manifest",
  );

export const MigrationRequestSpecSchema = z
  .object({
    sourceDb: z.string().min(1).max(253),
    targetDb: z.string().min(1).max(253),
    expectedSnapshotHash: z.string().min(1).max(300).optional(),
    /** A pg_basebackup directory instead of one archive: its backup_manifest's digest, and where it is. */
    expectedBackupManifestHash: z.string().min(1).max(300).optional(),
    /** An incremental backup's chain: each prior backup_manifest's digest, oldest (the full backup) first. */
    expectedPriorBackupManifestHashes: z.array(z.string().min(1).max(300)).min(1).max(64).optional(),
    syncMode: z.enum(['sync', 'async']),
    env: z.enum(['prod', 'staging']).optional(),
    snapshot: z.object({ url }).strict().optional(),
    backup: z
      .object({
        url,
        /** The backups an incremental one depends on, oldest first, each a directory of its own. */
        priors: z.array(z.object({ url }).strict()).min(1).max(64).optional(),
      })
      .strict()
      .optional(),
    walFiles: z
      .array(
        z
          .object({
            name: z.string().min(1).max(255),
            sha256: z.string().min(1).max(200),
            size: z.number().int().nonnegative().optional(),
            url,
          })
          .strict(),
      )
      .max(100_000)
      .optional(),
    signature: z
      .object({
        format: z.enum(['detached', 'dsse']),
        /** Inline: base64 detached signature, or the DSSE envelope JSON. */
        value: z.string().min(1).max(65_536).optional(),
        url: url.optional(),
        manifestUrl: url.optional(),
      })
      .strict()
      .refine(
        (s) => (s.value === undefined) !== (s.url === undefined),
        'exactly one of signature.value and signature.url',
      )
      .optional(),
    config: ConfigReferenceSchema.optional(),
  })
  .strict()
  .refine(
    (s) =>
      (s.expectedSnapshotHash === undefined) === (s.snapshot === undefined) &&
      (s.expectedBackupManifestHash === undefined) === (s.backup === undefined) &&
      (s.snapshot === undefined) !== (s.backup === undefined),
    'give expectedSnapshotHash with snapshot (one archive), or expectedBackupManifestHash with backup (a pg_basebackup directory)',
  );
export type MigrationRequestSpec = z.infer<typeof MigrationRequestSpecSchema>;

export type ParsedSpec = { ok: true; spec: MigrationRequestSpec } | { ok: false; message: string };

export function parseMigrationRequest(object: unknown): ParsedSpec {
  const spec = isPlainObject(object) ? object.spec : undefined;
  const r = MigrationRequestSpecSchema.safeParse(spec);
  if (r.success) return { ok: true, spec: r.data };
  const i = r.error.issues[0];
  const what =
    i?.code === 'unrecognized_keys'
      ? `unknown field(s) ${i.keys.slice(0, 5).join(', ')}`
      : (i?.message ?? 'invalid');
  return {
    ok: false,
    message: `MigrationRequest spec${i && i.path.length > 0 ? `.${i.path.join('.')}` : ''}: ${what}`.slice(
      0,
      300,
    ),
  };
}

/** The T2 replication manifest the spec stands for (snake_case, as the REST API takes it). */
export function manifestOf(spec: MigrationRequestSpec): Record<string, unknown> {
  return {
    source_db: spec.sourceDb,
    target_db: spec.targetDb,
    ...(spec.expectedSnapshotHash !== undefined ? { expected_snapshot_hash: spec.expectedSnapshotHash } : {}),
    ...(spec.expectedBackupManifestHash !== undefined
      ? { expected_backup_manifest_hash: spec.expectedBackupManifestHash }
      : {}),
    ...(spec.expectedPriorBackupManifestHashes !== undefined
      ? { expected_prior_backup_manifest_hashes: spec.expectedPriorBackupManifestHashes }
      : {}),
    sync_mode: spec.syncMode,
    env: spec.env ?? 'prod',
    ...(spec.walFiles
      ? {
          wal_files: spec.walFiles.map((w) => ({
            name: w.name,
            sha256: w.sha256,
            ...(w.size !== undefined ? { size: w.size } : {}),
          })),
        }
      : {}),
  };
}

/**
 * The T1 manifest the spec's config reference stands for: the exact bytes of
 * config.manifestJson, or the structured config.manifest in snake_case (as
 * migration_manifest.json, env from spec.env); undefined without a config
 * (or, past the schema, without either form: the caller refuses that).
 */
export function configManifestOf(
  spec: MigrationRequestSpec,
): Record<string, unknown> | Uint8Array | undefined {
  if (!spec.config) return undefined;
  if (spec.config.manifestJson !== undefined) return Buffer.from(spec.config.manifestJson, 'utf8');
  const m = spec.config.manifest;
  if (!m) return undefined;
  return { app_id: m.appId, env: spec.env ?? 'prod', version: m.version, config_sha256: m.configSha256 };
}

/** The spec without its config reference: everything the T2 verification depends on, and nothing else. */
export function replicationPartOf(spec: MigrationRequestSpec): Omit<MigrationRequestSpec, 'config'> {
  const { config: _config, ...replication } = spec;
  return replication;
}

export function canonicalManifestBytes(spec: MigrationRequestSpec): Uint8Array {
  return Buffer.from(canonicalJson(manifestOf(spec)), 'utf8');
}

/** A signed manifest file and the spec must agree, or the user approves one thing and the gate checks another. */
export function specMatchesManifest(spec: MigrationRequestSpec, parsed: unknown): boolean {
  if (!isPlainObject(parsed)) return false;
  const normalised = { env: 'prod', ...parsed };
  try {
    return canonicalJson(normalised) === canonicalJson(manifestOf(spec));
  } catch {
    return false;
  }
}
