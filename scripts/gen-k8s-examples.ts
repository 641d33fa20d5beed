// Writes examples/k8s/: a namespace the webhook enforces, good and bad
// ConfigMaps built from the T1 examples (so their config hashes are right),
// and MigrationRequests pointing at the T2 example artifacts (and, with
// spec.config, at T1 example configs), which the cluster mounts at
// /artifacts (GATE_ARTIFACT_ROOT=/artifacts).
// Each file starts with `# expect: ALLOW` or `# expect: BLOCK [rule-id]`
// (plus `# warns: [rule-id]` when warnings are expected); the webhook
// integration test reads these lines. Run: npx tsx scripts/gen-k8s-examples.ts
//
// The good prod ones carry the T1 manifest's signature (issue 12,
// t1-signature-required), made with the committed example key
// examples/keys/example-ed25519.key.pem over the exact manifest bytes as they
// are stored: Ed25519 is deterministic, so a rerun writes the same files.
import { createHash, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, Scalar, stringify } from 'yaml';
import { signDetached } from '../src/core/signing/sign.js';

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

const EXAMPLE_KEY_PEM = readFileSync('examples/keys/example-ed25519.key.pem', 'utf8');
const EXAMPLE_KEY = createPrivateKey(EXAMPLE_KEY_PEM.slice(EXAMPLE_KEY_PEM.indexOf('-----BEGIN')));
/** The base64 detached signature over these exact UTF-8 bytes, one line. */
const signatureOf = (manifestText: string): string =>
  signDetached(Buffer.from(manifestText, 'utf8'), EXAMPLE_KEY).trim();

const t1 = (dir: string, file: string): string => readFileSync(path.join('examples', dir, file), 'utf8');

function configMap(
  name: string,
  parts: {
    data?: Record<string, string>;
    binaryData?: Record<string, string>;
    manifestAnnotation?: string;
    signature?: string;
    namespace?: string;
  },
): Record<string, unknown> {
  const annotations = {
    ...(parts.manifestAnnotation !== undefined
      ? { 'migrationgate.io/manifest': parts.manifestAnnotation }
      : {}),
    ...(parts.signature !== undefined ? { 'migrationgate.io/manifest-signature': parts.signature } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: parts.namespace ?? NAMESPACE,
      labels: { 'app.kubernetes.io/name': 'orders-api' },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
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

function fromT1(
  file: string,
  dir: string,
  why: string,
  expect: string,
  warns?: string,
  signed = false,
): Example {
  // A manifest that says staging only matches a namespace bound to staging.
  const staging = /"env"\s*:\s*"staging"/.test(t1(dir, 'migration_manifest.json'));
  const manifestAnnotation = annotationOf(t1(dir, 'migration_manifest.json'));
  return {
    file,
    expect,
    why,
    ...(warns ? { warns } : {}),
    object: configMap(`orders-api-${file.replace(/\.yaml$/, '')}`, {
      data: { 'app-config.yaml': t1(dir, 'app-config.yaml') },
      manifestAnnotation,
      ...(signed ? { signature: signatureOf(manifestAnnotation) } : {}),
      ...(staging ? { namespace: STAGING_NAMESPACE } : {}),
    }),
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
  fromT1(
    'good-configmap.yaml',
    't1_good',
    'signed-off prod config, manifest in the annotation, signed (annotation migrationgate.io/manifest-signature)',
    'ALLOW',
    undefined,
    true,
  ),
  {
    file: 'good-configmap-manifest-key.yaml',
    expect: 'ALLOW',
    why: 'signed-off prod config, manifest as the data key migration_manifest.json',
    object: configMap('orders-api-manifest-key', {
      data: { 'app-config.yaml': good.config, 'migration_manifest.json': good.manifest },
      signature: signatureOf(good.manifest),
    }),
  },
  {
    file: 'good-configmap-binary.yaml',
    expect: 'ALLOW',
    why: 'signed-off prod config carried base64 in binaryData',
    object: configMap('orders-api-binary', {
      binaryData: { 'app-config.yaml': Buffer.from(good.config).toString('base64') },
      manifestAnnotation: annotationOf(good.manifest),
      signature: signatureOf(annotationOf(good.manifest)),
    }),
  },
  fromT1(
    'staging-warn-configmap.yaml',
    't1_staging_warn',
    'staging config with an inline password, unsigned: allowed, kubectl prints warnings (t1-signature-required among them)',
    'ALLOW',
    `[${ruleOf('t1_staging_warn')}]`,
  ),
  {
    file: 'plain-configmap.yaml',
    expect: 'ALLOW',
    why: "no gated key and no manifest: not the gate's business, only counted",
    object: configMap('orders-api-feature-flags', { data: { 'flags.properties': 'checkout.v2=true\n' } }),
  },
  ...Object.entries(BAD_FROM_T1).map(([file, dir]) =>
    fromT1(
      file,
      dir,
      (JSON.parse(t1(dir, 'expected.json')) as { why: string }).why,
      `BLOCK [${ruleOf(dir)}]`,
    ),
  ),
  {
    file: 'bad-no-manifest.yaml',
    expect: 'BLOCK [manifest-missing]',
    why: 'a gated config without its signed-off manifest',
    object: configMap('orders-api-no-manifest', { data: { 'app-config.yaml': good.config } }),
  },
  {
    file: 'bad-two-configs.yaml',
    expect: 'BLOCK [config-ambiguous]',
    why: 'two gated configs, one manifest: the second would ride along unverified',
    object: configMap('orders-api-two-configs', {
      data: { 'app-config.yaml': good.config, 'app-config.json': '{"tls": {"enabled": false}}\n' },
      manifestAnnotation: annotationOf(good.manifest),
    }),
  },
  {
    file: 'bad-renamed-key.yaml',
    expect: 'BLOCK [config-missing]',
    why: 'a manifest but the config under a non-gated key: renamed to dodge the gate',
    object: configMap('orders-api-renamed-key', {
      data: { 'appconfig.yaml': good.config },
      manifestAnnotation: annotationOf(good.manifest),
    }),
  },
];

const ARTIFACTS = 'file:///artifacts';

interface T2Manifest {
  source_db: string;
  target_db: string;
  expected_snapshot_hash: string;
  sync_mode: string;
  env?: string;
  wal_files?: Array<{ name: string; sha256: string; size?: number }>;
}

function migrationRequest(
  name: string,
  dir: string,
  edit: (spec: Record<string, unknown>) => void = () => {},
): Record<string, unknown> {
  const m = parse(
    readFileSync(path.join('examples', dir, 'replication_manifest.yaml'), 'utf8'),
  ) as T2Manifest;
  const at = `${ARTIFACTS}/${dir}`;
  const signed = existsSync(path.join('examples', dir, 'replication_manifest.yaml.sig'));
  const spec: Record<string, unknown> = {
    sourceDb: m.source_db,
    targetDb: m.target_db,
    expectedSnapshotHash: m.expected_snapshot_hash,
    syncMode: m.sync_mode,
    ...(m.env ? { env: m.env } : {}),
    snapshot: { url: `${at}/snapshot.tar.gz` },
    ...(m.wal_files ? { walFiles: m.wal_files.map((w) => ({ ...w, url: `${at}/wal/${w.name}` })) } : {}),
    ...(signed
      ? {
          signature: {
            format: 'detached',
            url: `${at}/replication_manifest.yaml.sig`,
            manifestUrl: `${at}/replication_manifest.yaml`,
          },
        }
      : {}),
  };
  edit(spec);
  return {
    apiVersion: 'migrationgate.io/v1alpha1',
    kind: 'MigrationRequest',
    metadata: { name, namespace: NAMESPACE },
    spec,
  };
}

/** spec.config: an app config from a T1 example dir and its manifest, camelCase, checked by T1 beside T2. */
function withConfig(
  dir: string,
  file = 'app-config.yaml',
  signed = false,
): (spec: Record<string, unknown>) => void {
  const text = t1(dir, 'migration_manifest.json');
  const m = JSON.parse(text) as { app_id: string; env: string; version: string; config_sha256: string };
  return (spec) => {
    // The MigrationRequest has one environment (spec.env); the T1 manifest's must be the same.
    if (m.env !== (spec.env ?? 'prod'))
      throw new Error(`${dir}: manifest env ${m.env} is not the MigrationRequest's ${String(spec.env)}`);
    // Quoted: a YAML 1.1 reader (kubectl's) must not see a number in a version like 2026.11.
    const version = Object.assign(new Scalar(m.version), { type: Scalar.QUOTE_DOUBLE });
    // Signed: the manifest as its exact text (a structured manifest cannot be signed), and the signature over it.
    spec.config = signed
      ? {
          url: `${ARTIFACTS}/${dir}/${file}`,
          manifestJson: text,
          signature: { format: 'detached', value: signatureOf(text) },
        }
      : {
          url: `${ARTIFACTS}/${dir}/${file}`,
          manifest: { appId: m.app_id, version, configSha256: m.config_sha256 },
        };
  };
}

const T1_IN_MR = ['hash-mismatch', 'inline-secret', 'tls-off-prod'];

const T2_BAD = [
  'snapshot-digest-mismatch',
  'missing-wal-segment',
  'unsigned-prod',
  'md5-hash',
  'tampered-data-file',
  'path-traversal',
  'bad-signature',
];
const t2Expected = (dir: string): { rule: string; why: string } =>
  JSON.parse(readFileSync(path.join('examples', dir, 'expected.json'), 'utf8')) as {
    rule: string;
    why: string;
  };

examples.push(
  {
    file: 'good-migrationrequest.yaml',
    expect: 'ALLOW',
    why: 'signed manifest, snapshot, backup_manifest and WAL all verify',
    object: migrationRequest('orders-db-good', 't2_good'),
  },
  ...T2_BAD.map((c) => ({
    file: `bad-mr-${c}.yaml`,
    expect: `BLOCK [${t2Expected(`t2_bad/${c}`).rule}]`,
    why: t2Expected(`t2_bad/${c}`).why,
    object: migrationRequest(`orders-db-${c}`, `t2_bad/${c}`),
  })),
  {
    file: 'bad-mr-spec-mismatch.yaml',
    expect: 'BLOCK [spec-manifest-mismatch]',
    why: 'the spec names another snapshot than the signed manifest it points at',
    object: migrationRequest('orders-db-spec-mismatch', 't2_good', (s) => {
      s.expectedSnapshotHash = `sha256:${'0'.repeat(64)}`;
    }),
  },
  {
    file: 'good-migrationrequest-with-config.yaml',
    expect: 'ALLOW',
    why: 'T2 verifies, and the app config it references matches its signed manifest (spec.config.manifestJson + signature) and every prod policy (T1)',
    object: migrationRequest(
      'orders-db-with-config',
      't2_good',
      withConfig('t1_good', 'app-config.yaml', true),
    ),
  },
  ...T1_IN_MR.map((c) => ({
    file: `bad-mr-config-${c}.yaml`,
    expect: `BLOCK [${ruleOf(`t1_bad/${c}`)}]`,
    why: `snapshot verifies, but its app config does not: ${(JSON.parse(t1(`t1_bad/${c}`, 'expected.json')) as { why: string }).why}`,
    object: migrationRequest(`orders-db-config-${c}`, 't2_good', withConfig(`t1_bad/${c}`)),
  })),
  {
    file: 'bad-mr-config-unreadable.yaml',
    expect: 'BLOCK [config-unavailable]',
    why: 'the app config URL names no file under the artifact root',
    object: migrationRequest(
      'orders-db-config-unreadable',
      't2_good',
      withConfig('t1_good', 'no-such-app-config.yaml'),
    ),
  },
);

function header(e: Example): string {
  return [`# expect: ${e.expect}`, ...(e.warns ? [`# warns: ${e.warns}`] : []), `# ${e.why}`].join('\n');
}

// Only the generated YAML is replaced; README.md stays.
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.endsWith('.yaml')) rmSync(path.join(out, f));
writeFileSync(
  path.join(out, 'namespace.yaml'),
  `# The webhook only judges ConfigMaps in namespaces labelled migrationgate.io/enforce=true.
# migrationgate.io/env decides the environment (unlabelled, or any value but staging: prod);
# a manifest's env must match it.\n${stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE, labels: { 'migrationgate.io/enforce': 'true' } },
  })}---\n${stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: STAGING_NAMESPACE,
      labels: { 'migrationgate.io/enforce': 'true', 'migrationgate.io/env': 'staging' },
    },
  })}`,
);
for (const e of examples) {
  const text = `${header(e)}\n${stringify(e.object, { lineWidth: 0 })}`;
  // Guard: a signed manifest must read back as the very bytes that were signed.
  const back = parse(text) as {
    metadata?: { annotations?: Record<string, string> };
    spec?: { config?: { manifestJson?: string } };
  };
  const mj = back.spec?.config?.manifestJson;
  if (mj !== undefined && mj !== good.manifest)
    throw new Error(`${e.file}: manifestJson does not round-trip`);
  writeFileSync(path.join(out, e.file), text);
}

// Guard: every example's config bytes must survive YAML round-tripping, or
// the hashes in the manifests would not match what kubectl sends.
const goodDigest = createHash('sha256').update(good.config).digest('hex');
if (!good.manifest.includes(goodDigest))
  throw new Error('t1_good manifest does not hash its config; regenerate the T1 examples first');
console.log(`wrote ${readdirSync(out).length} files under ${out}`);
