// Writes examples/t1_good and examples/t1_bad/<case>/: each a manifest, a
// config and expected.json {decision, rule, why}. Run: npx tsx scripts/gen-t1-examples.ts
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const GOOD_CONFIG = `# orders-api, signed off for the prod migration
service: orders-api
tls:
  enabled: true
  min_version: "1.2"
  verify: true
ports:
  - port: 8443
    host: 10.0.4.12
secrets_ref: vault://kv/orders-api/prod
debug: false
cors:
  allowed_origins: ["https://shop.example.com"]
pbkdf2_iterations: 600000
audit:
  enabled: true
database:
  host: orders-db.internal
  port: 5432
`;

interface Case {
  why: string;
  rule: string;
  config?: string;
  env?: 'prod' | 'staging';
  /** Edit the manifest after the hash is computed. */
  manifest?: (m: Record<string, unknown>) => void;
  /** Replace the whole manifest file text. */
  manifestText?: string;
  /** Config edited after sign-off: the manifest hashes `config`, the file holds this. */
  shippedConfig?: string;
  decision?: 'ALLOW' | 'BLOCK';
}

const swap = (from: string, to: string): string => {
  if (!GOOD_CONFIG.includes(from)) throw new Error(`example generator: "${from}" not in the good config`);
  return GOOD_CONFIG.replace(from, to);
};

const CASES: Record<string, Case> = {
  'missing-field': {
    why: 'the manifest has no app_id',
    rule: 'manifest-missing-field',
    manifest: (m) => {
      delete m.app_id;
    },
  },
  'invalid-env': {
    why: 'env must be prod or staging',
    rule: 'manifest-invalid-field',
    manifest: (m) => {
      m.env = 'production';
    },
  },
  'md5-hash': {
    why: 'config_sha256 holds an MD5 digest',
    rule: 'outdated-hash-algorithm',
    manifest: (m) => {
      m.config_sha256 = createHash('md5').update(GOOD_CONFIG).digest('hex');
    },
  },
  'sha1-prefix': {
    why: 'config_sha256 uses a sha1: prefix',
    rule: 'outdated-hash-algorithm',
    manifest: (m) => {
      m.config_sha256 = `sha1:${createHash('sha1').update(GOOD_CONFIG).digest('hex')}`;
    },
  },
  'hash-mismatch': {
    why: 'the config was edited after sign-off (TLS turned off)',
    rule: 'config-hash-mismatch',
    shippedConfig: swap('  enabled: true\n  min_version', '  enabled: false\n  min_version'),
  },
  'not-json-manifest': {
    why: 'the manifest is not JSON',
    rule: 'manifest-parse-error',
    manifestText: 'app_id = orders-api\n[broken',
  },
  'duplicate-key': {
    why: 'tls.enabled appears twice: a classic way to hide a change',
    rule: 'config-parse-error',
    config: swap('  enabled: true\n', '  enabled: true\n  enabled: false\n'),
  },
  'not-yaml': {
    why: 'the config is not YAML',
    rule: 'config-parse-error',
    config: 'tls: [unclosed\n  enabled: {\n',
  },
  'wrong-type': {
    why: 'tls.enabled is the string "false", not a boolean',
    rule: 'config-schema',
    config: swap('  enabled: true\n', '  enabled: "false"\n'),
  },
  'tls-off-prod': {
    why: 'TLS is off in prod',
    rule: 'prod-requires-tls',
    config: swap('  enabled: true\n', '  enabled: false\n'),
  },
  'tls-old-version': {
    why: 'TLS 1.0 allowed',
    rule: 'tls-min-version',
    config: swap('min_version: "1.2"', 'min_version: "1.0"'),
  },
  'verify-disabled': {
    why: 'certificate verification is off',
    rule: 'tls-verify-enabled',
    config: swap('  verify: true\n', '  verify: false\n'),
  },
  'public-bind': {
    why: 'a port binds 0.0.0.0 in prod',
    rule: 'no-public-bind',
    config: swap('host: 10.0.4.12', 'host: 0.0.0.0'),
  },
  'no-secrets-ref': {
    why: 'secrets_ref is missing',
    rule: 'secrets-ref-required',
    config: swap('secrets_ref: vault://kv/orders-api/prod\n', ''),
  },
  'inline-secret': {
    why: 'a database password is pasted inline',
    rule: 'no-inline-secrets',
    config: swap('  port: 5432\n', '  port: 5432\n  password: "Tr0ub4dor&3-orders"\n'),
  },
  'inline-aws-key': {
    why: 'an AWS access key id is pasted inline',
    rule: 'no-inline-secrets',
    config: `${GOOD_CONFIG}backup:\n  s3_key_id: AKIAIOSFODNN7EXAMPLE\n`,
  },
  'debug-prod': {
    why: 'debug is on in prod',
    rule: 'prod-debug-disabled',
    config: swap('debug: false', 'debug: true'),
  },
  'cors-wildcard': {
    why: 'CORS allows any origin in prod',
    rule: 'prod-cors-not-wildcard',
    config: swap('["https://shop.example.com"]', '["*"]'),
  },
  'short-secret-key': {
    why: 'an inline secret_key shorter than 48 characters',
    rule: 'secret-key-min-length',
    config: `${GOOD_CONFIG}secret_key: "tooshort-0123456789"\n`,
  },
  'weak-pbkdf2': {
    why: 'pbkdf2_iterations below 250000',
    rule: 'pbkdf2-min-iterations',
    config: swap('pbkdf2_iterations: 600000', 'pbkdf2_iterations: 10000'),
  },
  'audit-off': {
    why: 'audit logging is off in prod',
    rule: 'prod-audit-enabled',
    config: swap('audit:\n  enabled: true', 'audit:\n  enabled: false'),
  },
};

const root = path.resolve('examples');

function manifestFor(config: string, env: 'prod' | 'staging'): Record<string, unknown> {
  return {
    app_id: 'orders-api',
    env,
    version: '2026.11.3',
    config_sha256: `sha256:${createHash('sha256').update(config).digest('hex')}`,
  };
}

function writeCase(dir: string, c: Case): void {
  mkdirSync(dir, { recursive: true });
  const config = c.config ?? GOOD_CONFIG;
  const m = manifestFor(config, c.env ?? 'prod');
  c.manifest?.(m);
  writeFileSync(path.join(dir, 'app-config.yaml'), c.shippedConfig ?? config);
  writeFileSync(
    path.join(dir, 'migration_manifest.json'),
    c.manifestText ?? `${JSON.stringify(m, null, 2)}\n`,
  );
  writeFileSync(
    path.join(dir, 'expected.json'),
    `${JSON.stringify({ decision: c.decision ?? 'BLOCK', rule: c.rule, why: c.why }, null, 2)}\n`,
  );
}

rmSync(path.join(root, 't1_good'), { recursive: true, force: true });
rmSync(path.join(root, 't1_bad'), { recursive: true, force: true });
rmSync(path.join(root, 't1_staging_warn'), { recursive: true, force: true });
writeCase(path.join(root, 't1_good'), {
  why: 'signed-off prod config that meets every baseline rule',
  rule: '',
  decision: 'ALLOW',
});
writeCase(path.join(root, 't1_staging_warn'), {
  why: 'staging config with debug on and an inline password: allowed with warnings',
  rule: 'no-inline-secrets',
  decision: 'ALLOW',
  env: 'staging',
  config: swap('debug: false', 'debug: true').replace(
    '  port: 5432\n',
    '  port: 5432\n  password: "staging-only-pw"\n',
  ),
});
for (const [name, c] of Object.entries(CASES)) writeCase(path.join(root, 't1_bad', name), c);
console.log(`wrote t1_good, t1_staging_warn and ${Object.keys(CASES).length} t1_bad cases under ${root}`);
