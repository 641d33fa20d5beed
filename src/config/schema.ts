// Every setting of the gate, in one zod schema. Environment variables map
// onto it in load.ts; nothing else reads the environment.
import { z } from 'zod';
import { configProblems } from './rules.js';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const bytes = z.coerce.number().int().positive();

export const ConfigSchema = z
  .object({
    apiPort: port.default(8080),
    webhookPort: port.default(8443),
    bindAddress: z.string().min(1).default('127.0.0.1'),
    dataDir: z.string().min(1).default('./data'),
    policyDir: z.string().min(1).default('./policies'),
    keysDir: z.string().min(1).optional(),
    apiToken: z.string().min(16, 'must be at least 16 characters').optional(),
    apiTokensFile: z.string().min(1).optional(),
    apiTls: bool.default(false),
    apiTokenReview: bool.default(false),
    // The environments a TokenReview-authenticated identity may vouch for.
    apiTokenReviewEnvs: list
      .pipe(z.array(z.enum(['prod', 'staging'])).min(1, 'needs at least one of prod, staging'))
      .default(['prod', 'staging']),
    apiAllowedUsers: list.default([]),
    apiAllowedGroups: list.default([]),
    auditSink: z.enum(['file', 'configmap', 'stdout', 'postgres']).default('file'),
    // postgres sink: a connection URL (a secret: it may carry a password; the chart takes it from a Secret).
    auditPostgresUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    auditFailClosed: bool.default(true),
    auditFile: z.string().min(1).optional(),
    auditLingerMs: z.coerce.number().int().min(0).max(100).default(0),
    // configmap sink: live segments per writer kept in etcd (0 = no cap); the archiver makes room.
    auditMaxSegments: z.coerce.number().int().min(0).max(100_000).default(0),
    // configmap sink: a segment is sealed before its records exceed this. Every
    // batch rewrites the whole open segment, so smaller segments mean cheaper
    // writes (and more of them in etcd); a ConfigMap holds at most 1 MiB.
    auditSegmentBytes: z.coerce
      .number()
      .int()
      .min(4096)
      .max(900 * 1024)
      .default(900 * 1024),
    writerId: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label (lowercase letters, digits, -)')
      .max(40)
      .optional(),
    // Stable writer ids: this many Lease-held slots (replicas + surge), writer id `<prefix>-w<k>`; 0 = the pod's own id.
    writerSlots: z.coerce.number().int().min(0).max(1000).default(0),
    writerSlotPrefix: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label')
      .max(30)
      .default('migration-gate'),
    namespace: z.string().min(1).default('migration-gate'),
    kubeconfig: z.string().min(1).optional(),
    tlsMode: z.enum(['local', 'selfManaged', 'certManager', 'existingSecret']).default('local'),
    tlsDir: z.string().min(1).optional(),
    tlsExtraSans: list.default([]),
    // selfManaged TLS: the objects the gate manages itself (the chart sets them; RBAC names them).
    tlsSecretName: z.string().min(1).default('migration-gate-tls'),
    webhookConfigName: z.string().min(1).default('migration-gate'),
    leaseName: z.string().min(1).default('migration-gate-leader'),
    serviceName: z.string().min(1).default('migration-gate'),
    webhookTimeoutSeconds: z.coerce.number().int().min(1).max(30).default(10),
    // SIGTERM: keep answering (readiness 503, Connection: close) this long before
    // the listeners close, so the Service stops routing here first and no
    // client writes into a keep-alive connection the gate just closed.
    shutdownDrainSeconds: z.coerce.number().min(0).max(120).default(0),
    // mTLS on the webhook port: PEM CA bundle the apiserver's client certificate must chain to.
    webhookClientCa: z.string().min(1).optional(),
    gatedKeys: list.default(['app-config.yaml', 'app-config.yml', 'app-config.json']),
    maxBodyBytes: bytes.default(2 * 1024 * 1024),
    // Every request body must arrive within this; streaming T2 uploads only must not stall this long.
    bodyTimeoutMs: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    maxConfigBytes: bytes.default(1024 * 1024),
    maxSnapshotBytes: bytes.default(64 * 1024 * 1024 * 1024),
    maxUncompressedBytes: bytes.default(256 * 1024 * 1024 * 1024),
    artifactRoot: z.string().min(1).optional(),
    artifactHosts: list.default([]),
    artifactCaFile: z.string().min(1).optional(),
    artifactTimeoutSeconds: z.coerce.number().int().min(1).max(3600).default(600),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    // Background audit (services/background-audit.ts): 0 = off. Needs a cluster (GATE_KUBECONFIG or in cluster).
    backgroundAuditIntervalSeconds: z.coerce.number().int().min(0).max(86_400).default(0),
    // The namespace labels the chart's webhooks select on (webhook.enforceLabel / webhook.envLabel).
    enforceLabel: z.string().min(1).default('migrationgate.io/enforce'),
    envLabel: z.string().min(1).default('migrationgate.io/env'),
    // Audit checkpoints (signed Merkle tree heads): the origin names the cluster and the writer.
    clusterName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be lowercase letters, digits, - and .')
      .max(100)
      .default('local'),
    auditSigningKeyFile: z.string().min(1).optional(),
    auditCheckpointSeconds: z.coerce.number().min(0.1).max(3600).default(2),
    auditWitnessUrl: z.string().url().optional(),
    auditWitnessKey: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    // Cross-field rules (config/rules.ts): a combination that cannot work fails load(), naming the setting.
    for (const p of configProblems(c))
      ctx.addIssue({ code: 'custom', path: [p.setting], message: p.message });
  });
export type GateConfig = Readonly<z.infer<typeof ConfigSchema>>;

/** Environment variable -> setting. The README table is checked against this by a test. */
export const ENV_VARS: Readonly<Record<string, keyof z.infer<typeof ConfigSchema>>> = {
  GATE_API_PORT: 'apiPort',
  GATE_WEBHOOK_PORT: 'webhookPort',
  GATE_BIND_ADDRESS: 'bindAddress',
  GATE_DATA_DIR: 'dataDir',
  GATE_POLICY_DIR: 'policyDir',
  GATE_KEYS_DIR: 'keysDir',
  GATE_API_TOKEN: 'apiToken',
  GATE_API_TOKENS_FILE: 'apiTokensFile',
  GATE_API_TLS: 'apiTls',
  GATE_API_TOKEN_REVIEW: 'apiTokenReview',
  GATE_API_TOKEN_REVIEW_ENVS: 'apiTokenReviewEnvs',
  GATE_API_ALLOWED_USERS: 'apiAllowedUsers',
  GATE_API_ALLOWED_GROUPS: 'apiAllowedGroups',
  GATE_AUDIT_SINK: 'auditSink',
  GATE_AUDIT_FAIL_CLOSED: 'auditFailClosed',
  GATE_AUDIT_FILE: 'auditFile',
  GATE_AUDIT_LINGER_MS: 'auditLingerMs',
  GATE_AUDIT_POSTGRES_URL: 'auditPostgresUrl',
  GATE_AUDIT_MAX_SEGMENTS: 'auditMaxSegments',
  GATE_AUDIT_SEGMENT_BYTES: 'auditSegmentBytes',
  GATE_WRITER_ID: 'writerId',
  GATE_WRITER_SLOTS: 'writerSlots',
  GATE_WRITER_SLOT_PREFIX: 'writerSlotPrefix',
  GATE_NAMESPACE: 'namespace',
  GATE_KUBECONFIG: 'kubeconfig',
  GATE_TLS_MODE: 'tlsMode',
  GATE_TLS_DIR: 'tlsDir',
  GATE_TLS_SANS: 'tlsExtraSans',
  GATE_TLS_SECRET_NAME: 'tlsSecretName',
  GATE_WEBHOOK_CONFIG_NAME: 'webhookConfigName',
  GATE_LEASE_NAME: 'leaseName',
  GATE_SERVICE_NAME: 'serviceName',
  GATE_WEBHOOK_TIMEOUT_SECONDS: 'webhookTimeoutSeconds',
  GATE_SHUTDOWN_DRAIN_SECONDS: 'shutdownDrainSeconds',
  GATE_WEBHOOK_CLIENT_CA: 'webhookClientCa',
  GATE_GATED_KEYS: 'gatedKeys',
  GATE_MAX_BODY_BYTES: 'maxBodyBytes',
  GATE_BODY_TIMEOUT_MS: 'bodyTimeoutMs',
  GATE_MAX_CONFIG_BYTES: 'maxConfigBytes',
  GATE_MAX_SNAPSHOT_BYTES: 'maxSnapshotBytes',
  GATE_MAX_UNCOMPRESSED_BYTES: 'maxUncompressedBytes',
  GATE_ARTIFACT_ROOT: 'artifactRoot',
  GATE_ARTIFACT_HOSTS: 'artifactHosts',
  GATE_ARTIFACT_CA_FILE: 'artifactCaFile',
  GATE_ARTIFACT_TIMEOUT_SECONDS: 'artifactTimeoutSeconds',
  GATE_LOG_LEVEL: 'logLevel',
  GATE_BACKGROUND_AUDIT_INTERVAL_SECONDS: 'backgroundAuditIntervalSeconds',
  GATE_ENFORCE_LABEL: 'enforceLabel',
  GATE_ENV_LABEL: 'envLabel',
  GATE_CLUSTER_NAME: 'clusterName',
  GATE_AUDIT_SIGNING_KEY_FILE: 'auditSigningKeyFile',
  GATE_AUDIT_CHECKPOINT_SECONDS: 'auditCheckpointSeconds',
  GATE_AUDIT_WITNESS_URL: 'auditWitnessUrl',
  GATE_AUDIT_WITNESS_KEY: 'auditWitnessKey',
};
