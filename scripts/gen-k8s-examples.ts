// Writes examples/k8s/: a namespace the webhook enforces, good and bad
// ConfigMaps built from the T1 examples (so their config hashes are right),
// and MigrationRequests pointing at the T2 example artifacts (and, with
// spec.config, at T1 example configs), which the cluster mounts at
// /artifacts (GATE_ARTIFACT_ROOT=/artifacts).
// Each file starts with `# expect: ALLOW` or `# expect: BLOCK [rule-id]`
// (plus `# warns: [rule-id]` when warnings are expected); the webhook
// integration test reads these lines. Run: npx tsx scripts/gen-k8s-examples.ts
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, Scalar, stringify } from 'yaml';

const NAMESPACE = 'payments';
/** Labelled migrationgate.io/env=staging: the apiserver calls /validate/staging for it. */
const STAGING_NAMESPACE = 'payments-staging';
const out = path.resolve('examples/k8s');

interface Example {
  file: string;
  expect: string;
  warns?: string;
  why: string;
  object: Record<string, unknown>;
}

const t1 = (dir: string, file: string): string => readFileSync(path.join('examples', dir, file), 'utf8');

function configMap(name: string, parts: { data?: Record<string, string>; binaryData?: Record<string, string>; manifestAnnotation?: string; namespace?: string }): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: parts.namespace ?? NAMESPACE,
      labels: { 'app.kubernetes.io/name': 'orders-api' },
      ...(parts.manifestAnnotation !== undefined ? { annotations: { 'migrationgate.io/manifest': parts.manifestAnnotation } } : {}),
    },
    ...(parts.data ? { data: parts.data } : {}),
    ...(parts.binaryData ? { binaryData: parts.binaryData } : {}),
  };
}

/** The manifest as one JSON line for the annotation; kept verbatim when it is not JSON (that is the point of the case). */
function annotationOf(manifestText: string): string {
  try {
    return JSON.stringify(JSON.parse(manifestText));
  } catch {
    return manifestText.trim();
  }
}

function fromT1(file: string, dir: string, why: string, expect: string, warns?: string): Example {
  // A manifest that says staging only matches a namespace bound to staging.
  const staging = /"env"\s*:\s*"staging"/.test(t1(dir, 'migration_manifest.json'));
  return {
    file, expect, why, ...(warns ? { warns } : {}),
    object: configMap(`orders-api-${file.replace(/\.yaml$/, '')}`, { data: { 'app-config.yaml': t1(dir, 'app-config.yaml') }, manifestAnnotation: annotationOf(t1(dir, 'migration_manifest.json')), ...(staging ? { namespace: STAGING_NAMESPACE } : {}) }),
  };
}

const good = { config: t1('t1_good', 'app-config.yaml'), manifest: t1('t1_good', 'migration_manifest.json') };
const ruleOf = (dir: string): string => (JSON.parse(t1(dir, 'expected.json')) as { rule: string }).rule;

const BAD_FROM_T1: Record<string, string> = {
  'bad-tls-off.yaml': 't1_bad/tls-off-prod',
  'bad-hash-mismatch.yaml': 't1_bad/hash-mismatch',
  'bad-duplicate-key.yaml': 't1_bad/duplicate-key',
  'bad-public-bind.yaml': 't1_bad/public-bind',
  'bad-inline-secret.yaml': 't1_bad/inline-secret',
  'bad-md5-hash.yaml': 't1_bad/md5-hash',
  'bad-missing-field.yaml': 't1_bad/missing-field',
  'bad-not-json-manifest.yaml': 't1_bad/not-json-manifest',
};

const examples: Example[] = [
  fromT1('good-configmap.yaml', 't1_good', 'signed-off prod config, manifest in the annotation', 'ALLOW'),
  {
    file: 'good-configmap-manifest-key.yaml', expect: 'ALLOW', why: 'signed-off prod config, manifest as the data key migration_manifest.json',
    object: configMap('orders-api-manifest-key', { data: { 'app-config.yaml': good.config, 'migration_manifest.json': good.manifest } }),
  },
  {
    file: 'good-configmap-binary.yaml', expect: 'ALLOW', why: 'signed-off prod config carried base64 in binaryData',
    object: configMap('orders-api-binary', { binaryData: { 'app-config.yaml': Buffer.from(good.config).toString('base64') }, manifestAnnotation: annotationOf(good.manifest) }),
  },
  fromT1('staging-warn-configmap.yaml', 't1_staging_warn', 'staging config with an inline password: allowed, kubectl prints warnings', 'ALLOW', `[${ruleOf('t1_staging_warn')}]`),
  {
    file: 'plain-configmap.yaml', expect: 'ALLOW', why: 'no gated key and no manifest: not the gate\'s business, only counted',
    object: configMap('orders-api-feature-flags', { data: { 'flags.properties': 'checkout.v2=true\n' } }),
  },
  ...Object.entries(BAD_FROM_T1).map(([file, dir]) => fromT1(file, dir, (JSON.parse(t1(dir, 'expected.json')) as { why: string }).why, `BLOCK [${ruleOf(dir)}]`)),
  {
    file: 'bad-no-manifest.yaml', expect: 'BLOCK [manifest-missing]', why: 'a gated config without its signed-off manifest',
    object: configMap('orders-api-no-manifest', { data: { 'app-config.yaml': good.config } }),
  },
  {
    file: 'bad-two-configs.yaml', expect: 'BLOCK [config-ambiguous]', why: 'two gated configs, one manifest: the second would ride along unverified',
    object: configMap('orders-api-two-configs', {
      data: { 'app-config.yaml': good.config, 'app-config.json': '{"tls": {"enabled": false}}\n' }, manifestAnnotation: annotationOf(good.manifest),
    }),
  },
  {
    file: 'bad-renamed-key.yaml', expect: 'BLOCK [config-missing]', why: 'a manifest but the config under a non-gated key: renamed to dodge the gate',
    object: configMap('orders-api-renamed-key', { data: { 'appconfig.yaml': good.config }, manifestAnnotation: annotationOf(good.manifest) }),
  },
];

const ARTIFACTS = 'file:///artifacts';

interface T2Manifest { source_db: string; target_db: string; expected_snapshot_hash: string; sync_mode: string; env?: string; wal_files?: Array<{ name: string; sha256: string; size?: number }> }

function migrationRequest(name: string, dir: string, edit: (spec: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const m = parse(readFileSync(path.join('examples', dir, 'replication_manifest.yaml'), 'utf8')) as T2Manifest;
  const at = `${ARTIFACTS}/${dir}`;
  const signed = existsSync(path.join('examples', dir, 'replication_manifest.yaml.sig'));
  const spec: Record<string, unknown> = {
    sourceDb: m.source_db, targetDb: m.target_db, expectedSnapshotHash: m.expected_snapshot_hash, syncMode: m.sync_mode,
    ...(m.env ? { env: m.env } : {}),
    snapshot: { url: `${at}/snapshot.tar.gz` },
    ...(m.wal_files ? { walFiles: m.wal_files.map((w) => ({ ...w, url: `${at}/wal/${w.name}` })) } : {}),
    ...(signed ? { signature: { format: 'detached', url: `${at}/replication_manifest.yaml.sig`, manifestUrl: `${at}/replication_manifest.yaml` } } : {}),
  };
  edit(spec);
  return { apiVersion: 'migrationgate.io/v1alpha1', kind: 'MigrationRequest', metadata: { name, namespace: NAMESPACE }, spec };
}

/** spec.config: an app config from a T1 example dir and its manifest, camelCase, checked by T1 beside T2. */
function withConfig(dir: string, file = 'app-config.yaml'): (spec: Record<string, unknown>) => void {
  const m = JSON.parse(t1(dir, 'migration_manifest.json')) as { app_id: string; env: string; version: string; config_sha256: string };
  return (spec) => {
    // The MigrationRequest has one environment (spec.env); the T1 manifest's must be the same.
    if (m.env !== (spec.env ?? 'prod')) throw new Error(`${dir}: manifest env ${m.env} is not the MigrationRequest's ${String(spec.env)}`);
    // Quoted: a YAML 1.1 reader (kubectl's) must not see a number in a version like 2026.11.
    const version = Object.assign(new Scalar(m.version), { type: Scalar.QUOTE_DOUBLE });
    spec.config = { url: `${ARTIFACTS}/${dir}/${file}`, manifest: { appId: m.app_id, version, configSha256: m.config_sha256 } };
  };
}

const T1_IN_MR = ['hash-mismatch', 'inline-secret', 'tls-off-prod'];

const T2_BAD = ['snapshot-digest-mismatch', 'missing-wal-segment', 'unsigned-prod', 'md5-hash', 'tampered-data-file', 'path-traversal', 'bad-signature'];
const t2Expected = (dir: string): { rule: string; why: string } => JSON.parse(readFileSync(path.join('examples', dir, 'expected.json'), 'utf8')) as { rule: string; why: string };

examples.push(
  { file: 'good-migrationrequest.yaml', expect: 'ALLOW', why: 'signed manifest, snapshot, backup_manifest and WAL all verify', object: migrationRequest('orders-db-good', 't2_good') },
  ...T2_BAD.map((c) => ({
    file: `bad-mr-${c}.yaml`, expect: `BLOCK [${t2Expected(`t2_bad/${c}`).rule}]`, why: t2Expected(`t2_bad/${c}`).why,
    object: migrationRequest(`orders-db-${c}`, `t2_bad/${c}`),
  })),
  {
    file: 'bad-mr-spec-mismatch.yaml', expect: 'BLOCK [spec-manifest-mismatch]', why: 'the spec names another snapshot than the signed manifest it points at',
    object: migrationRequest('orders-db-spec-mismatch', 't2_good', (s) => { s.expectedSnapshotHash = `sha256:${'0'.repeat(64)}`; }),
  },
  {
    file: 'good-migrationrequest-with-config.yaml', expect: 'ALLOW', why: 'T2 verifies, and the app config it references matches its manifest and every prod policy (T1)',
    object: migrationRequest('orders-db-with-config', 't2_good', withConfig('t1_good')),
  },
  ...T1_IN_MR.map((c) => ({
    file: `bad-mr-config-${c}.yaml`, expect: `BLOCK [${ruleOf(`t1_bad/${c}`)}]`, why: `snapshot verifies, but its app config does not: ${(JSON.parse(t1(`t1_bad/${c}`, 'expected.json')) as { why: string }).why}`,
    object: migrationRequest(`orders-db-config-${c}`, 't2_good', withConfig(`t1_bad/${c}`)),
  })),
  {
    file: 'bad-mr-config-unreadable.yaml', expect: 'BLOCK [config-unavailable]', why: 'the app config URL names no file under the artifact root',
    object: migrationRequest('orders-db-config-unreadable', 't2_good', withConfig('t1_good', 'no-such-app-config.yaml')),
  },
);

function header(e: Example): string {
  return [`# expect: ${e.expect}`, ...(e.warns ? [`# warns: ${e.warns}`] : []), `# ${e.why}`].join('\n');
}

// Only the generated YAML is replaced; README.md stays.
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.endsWith('.yaml')) rmSync(path.join(out, f));
writeFileSync(path.join(out, 'namespace.yaml'), `# The webhook only judges ConfigMaps in namespaces labelled migrationgate.io/enforce=true.
# migrationgate.io/env decides the environment (unlabelled, or any value but staging: prod);
# a manifest's env must match it.\n${stringify({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'migrationgate.io/enforce': 'true' } },
})}---\n${stringify({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name: STAGING_NAMESPACE, labels: { 'migrationgate.io/enforce': 'true', 'migrationgate.io/env': 'staging' } },
})}`);
for (const e of examples) writeFileSync(path.join(out, e.file), `${header(e)}\n${stringify(e.object, { lineWidth: 0 })}`);

// Guard: every example's config bytes must survive YAML round-tripping, or
// the hashes in the manifests would not match what kubectl sends.
const goodDigest = createHash('sha256').update(good.config).digest('hex');
if (!good.manifest.includes(goodDigest)) throw new Error('t1_good manifest does not hash its config; regenerate the T1 examples first');
console.log(`wrote ${readdirSync(out).length} files under ${out}`);
