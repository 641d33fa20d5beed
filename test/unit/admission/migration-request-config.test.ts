// spec.config of a MigrationRequest: its contract, the T1 manifest it stands
// for, what the T2 cache key covers, and how the T1 evaluation is folded into
// the T2 one (one decision, scenario T2).
import { expect } from 'chai';
import { withConfigCheck } from '../../../src/core/admission/config-check-merge.js';
import {
  configManifestOf,
  parseMigrationRequest,
  replicationPartOf,
  type MigrationRequestSpec,
} from '../../../src/core/admission/migration-request.js';
import type { Evaluation } from '../../../src/core/contracts/report.js';
import { decide } from '../../../src/core/decision.js';
import { canonicalJson } from '../../../src/core/hashing.js';
import { k8sExample as example } from '../../support/k8s-examples.js';

const specOf = (file: string): Record<string, unknown> => example(file).spec as Record<string, unknown>;
const withSpec = (spec: Record<string, unknown>): Record<string, unknown> => ({
  ...example('good-migrationrequest.yaml'),
  spec,
});
const config = {
  url: 'file:///artifacts/t1_good/app-config.yaml',
  manifest: { appId: 'orders-api', version: '2026.11.3', configSha256: `sha256:${'a'.repeat(64)}` },
};

function parsed(spec: Record<string, unknown>): MigrationRequestSpec {
  const r = parseMigrationRequest(withSpec(spec));
  if (!r.ok) throw new Error(r.message);
  return r.spec;
}

function rejection(spec: Record<string, unknown>): string {
  const r = parseMigrationRequest(withSpec(spec));
  expect(r.ok, 'should be rejected').to.equal(false);
  return r.ok ? '' : r.message;
}

describe('MigrationRequest spec.config', () => {
  const base = specOf('good-migrationrequest.yaml');

  it('is optional, and accepted with a url and the camelCase manifest', () => {
    expect(parsed(base).config).to.equal(undefined);
    expect(parsed({ ...base, config }).config).to.deep.equal(config);
    expect(parsed(specOf('good-migrationrequest-with-config.yaml')).config?.url).to.equal(
      'file:///artifacts/t1_good/app-config.yaml',
    );
  });

  it('refuses a missing manifest field, naming its path', () => {
    const { configSha256: _drop, ...manifest } = config.manifest;
    expect(rejection({ ...base, config: { ...config, manifest } })).to.contain(
      'spec.config.manifest.configSha256',
    );
    expect(rejection({ ...base, config: { manifest: config.manifest } })).to.contain('spec.config.url');
  });

  it('refuses a second environment and unknown fields: the request has one env, spec.env', () => {
    expect(
      rejection({ ...base, config: { ...config, manifest: { ...config.manifest, env: 'staging' } } }),
    ).to.contain('unknown field(s) env');
    expect(rejection({ ...base, config: { ...config, sha256: 'x' } })).to.contain('unknown field(s) sha256');
  });

  it('takes the manifest as exact text (manifestJson) with a signature; exactly one manifest form; a signature needs manifestJson (issue 12)', () => {
    const manifestJson = '{"app_id":"orders-api","env":"prod","version":"1","config_sha256":"sha256:00"}\n';
    const signature = { format: 'detached', value: 'AAAA' };
    expect(parsed({ ...base, config: { url: config.url, manifestJson, signature } }).config).to.deep.equal({
      url: config.url,
      manifestJson,
      signature,
    });
    expect(rejection({ ...base, config: { url: config.url } })).to.contain(
      'exactly one of config.manifest and config.manifestJson',
    );
    expect(rejection({ ...base, config: { ...config, manifestJson } })).to.contain(
      'exactly one of config.manifest and config.manifestJson',
    );
    expect(rejection({ ...base, config: { ...config, signature } })).to.contain(
      'give the manifest as config.manifestJson',
    );
    expect(
      rejection({ ...base, config: { url: config.url, manifestJson, signature: { format: 'detached' } } }),
    ).to.contain('spec.config.signature.value');
    expect(
      rejection({
        ...base,
        config: { url: config.url, manifestJson, signature: { ...signature, url: 'https://a/b' } },
      }),
    ).to.contain('unknown field(s) url');
  });

  it('refuses a url that is neither file:/// nor https://', () => {
    expect(
      rejection({ ...base, config: { ...config, url: 'http://store.example.com/app-config.yaml' } }),
    ).to.contain('spec.config.url');
    expect(rejection({ ...base, config: { ...config, url: 'file://relative/app-config.yaml' } })).to.contain(
      'spec.config.url',
    );
  });
});

describe('configManifestOf', () => {
  const base = specOf('good-migrationrequest.yaml');

  it('is the snake_case T1 manifest, its env the spec env (prod when unset)', () => {
    expect(configManifestOf(parsed({ ...base, config }))).to.deep.equal({
      app_id: 'orders-api',
      env: 'prod',
      version: '2026.11.3',
      config_sha256: config.manifest.configSha256,
    });
    const { env: _env, ...noEnv } = base;
    expect(configManifestOf(parsed({ ...noEnv, config }))).to.deep.include({ env: 'prod' });
    expect(configManifestOf(parsed({ ...base, env: 'staging', config }))).to.deep.include({ env: 'staging' });
  });

  it('is undefined without a config reference', () => {
    expect(configManifestOf(parsed(base))).to.equal(undefined);
  });

  it('is the exact UTF-8 bytes of manifestJson, never re-serialised', () => {
    const manifestJson =
      '{ "app_id": "orders-api",\n  "env": "prod", "version": "1", "config_sha256": "sha256:00" }\n';
    const m = configManifestOf(parsed({ ...base, config: { url: config.url, manifestJson } }));
    expect(m instanceof Uint8Array && Buffer.from(m).toString('utf8')).to.equal(manifestJson);
  });
});

describe('replicationPartOf (the T2 cache key)', () => {
  const base = specOf('good-migrationrequest.yaml');
  const key = (spec: Record<string, unknown>): string => canonicalJson(replicationPartOf(parsed(spec)));

  it('ignores the config reference: the T2 verification does not depend on it', () => {
    expect(key({ ...base, config })).to.equal(key(base));
    expect(key({ ...base, config: { ...config, url: 'file:///artifacts/other.yaml' } })).to.equal(
      key({ ...base, config }),
    );
    expect(replicationPartOf(parsed({ ...base, config }))).not.to.have.property('config');
  });

  it('covers every T2 field', () => {
    expect(key({ ...base, syncMode: 'async' })).not.to.equal(key(base));
    expect(key({ ...base, snapshot: { url: 'file:///artifacts/t2_good/other.tar.gz' } })).not.to.equal(
      key(base),
    );
  });
});

describe('withConfigCheck: T1 folded into T2', () => {
  const t2: Evaluation = {
    scenario: 'T2',
    subject: { kind: 'MigrationRequest', name: 'orders-db', env: 'prod', source_db: 'orders-pg15-old' },
    steps: [
      { step: 'manifest', status: 'pass' },
      { step: 'snapshot', status: 'pass' },
    ],
    findings: [],
  };
  const t1 = (over: Partial<Evaluation> = {}): Evaluation => ({
    scenario: 'T1',
    subject: { app_id: 'orders-api', env: 'staging', version: '2026.11.3', name: 'not-this' },
    steps: [
      { step: 'read', status: 'pass' },
      { step: 'parse', status: 'pass' },
      { step: 'policies', status: 'pass' },
    ],
    findings: [],
    ...over,
  });
  const ctx = { requestId: 'req-1', timestamp: '2026-11-23T10:00:00.000Z' };

  it('stays scenario T2, appends the T1 steps prefixed config., and takes only app_id and version from T1', () => {
    const merged = withConfigCheck(t2, t1());
    expect(merged.scenario).to.equal('T2');
    expect(merged.steps.map((s) => s.step)).to.deep.equal([
      'manifest',
      'snapshot',
      'config.read',
      'config.parse',
      'config.policies',
    ]);
    expect(merged.subject).to.deep.equal({ ...t2.subject, app_id: 'orders-api', version: '2026.11.3' });
    expect(decide(merged, ctx).decision).to.equal('ALLOW');
  });

  it('a blocking T1 finding blocks, its rule id named in the reasons', () => {
    const finding = {
      rule: 'prod-requires-tls',
      severity: 'critical' as const,
      action: 'block' as const,
      path: 'tls.enabled',
      message: 'tls.enabled must be true in prod',
    };
    const merged = withConfigCheck(
      t2,
      t1({ steps: [{ step: 'policies', status: 'fail' }], findings: [finding] }),
    );
    expect(merged.findings).to.deep.equal([finding]);
    const report = decide(merged, ctx);
    expect(report).to.deep.include({ decision: 'BLOCK', scenario: 'T2' });
    expect(report.reasons).to.deep.equal([
      '[prod-requires-tls] tls.enabled must be true in prod (at tls.enabled)',
    ]);
  });

  it('a failed T1 step without a finding still blocks', () => {
    expect(
      decide(withConfigCheck(t2, t1({ steps: [{ step: 'hash', status: 'fail', detail: 'x' }] })), ctx)
        .reasons,
    ).to.deep.equal(['[step-failed] config.hash: x']);
  });

  it('T1 warnings are warnings; a T2 block stays a block when T1 passes', () => {
    const warn = {
      rule: 'manifest-unknown-field',
      severity: 'low' as const,
      action: 'warn' as const,
      message: 'w',
    };
    const allowed = decide(withConfigCheck(t2, t1({ findings: [warn] })), ctx);
    expect(allowed.decision).to.equal('ALLOW');
    expect(allowed.warnings).to.deep.equal(['[manifest-unknown-field] w']);
    const t2Blocked: Evaluation = {
      ...t2,
      steps: [{ step: 'snapshot', status: 'fail' }],
      findings: [{ rule: 'snapshot-digest-mismatch', severity: 'critical', action: 'block', message: 'm' }],
    };
    expect(decide(withConfigCheck(t2Blocked, t1()), ctx).reasons).to.deep.equal([
      '[snapshot-digest-mismatch] m',
    ]);
  });
});
