import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { evaluateConfigCheck as evaluateMigration, T1_STEPS } from '../../../src/core/config-check.js';
import type { Finding } from '../../../src/core/contracts/report.js';

const config = Buffer.from('tls:\n  enabled: true\n');
const sha = createHash('sha256').update(config).digest('hex');
const manifest = { app_id: 'a', env: 'prod', version: '1', config_sha256: `sha256:${sha}` };
const none = (): Finding[] => [];
const rules = (f: Finding[]) => f.map((x) => x.rule);

describe('T1 pipeline (core)', () => {
  it('runs every step in order and passes a matching config', () => {
    const e = evaluateMigration({ manifest, config, policies: none });
    expect(e.steps.map((s) => s.step)).to.deep.equal([...T1_STEPS]);
    // No signature supplied: that step is skipped (whether one is required is a policy).
    expect(e.steps.filter((s) => s.step !== 'signature').every((s) => s.status === 'pass')).to.equal(true);
    expect(e.steps.find((s) => s.step === 'signature')!.status).to.equal('skipped');
    expect(e.subject).to.include({ app_id: 'a', env: 'prod', version: '1' });
  });

  it('accepts a bare 64-hex digest in any case', () => {
    const e = evaluateMigration({
      manifest: { ...manifest, config_sha256: sha.toUpperCase() },
      config,
      policies: none,
    });
    expect(e.findings).to.deep.equal([]);
  });

  it('stops at the first hard failure and lists the rest as skipped', () => {
    const e = evaluateMigration({
      manifest: { ...manifest, config_sha256: 'a'.repeat(64) },
      config,
      policies: () => {
        throw new Error('must not run');
      },
    });
    expect(e.steps.map((s) => s.status)).to.deep.equal([
      'pass',
      'pass',
      'skipped',
      'pass',
      'fail',
      'skipped',
    ]);
    expect(rules(e.findings)).to.deep.equal(['config-hash-mismatch']);
  });

  it('names every missing field', () => {
    const e = evaluateMigration({ manifest: {}, config, policies: none });
    expect(
      e.findings
        .filter((f) => f.rule === 'manifest-missing-field')
        .map((f) => f.path)
        .sort(),
    ).to.deep.equal(['app_id', 'config_sha256', 'env', 'version']);
    expect(e.steps[1]!.status).to.equal('fail');
  });

  for (const [label, digest] of [
    ['32-hex (md5-sized)', 'a'.repeat(32)],
    ['40-hex (sha1-sized)', 'b'.repeat(40)],
    ['md5: prefix', `md5:${'c'.repeat(32)}`],
    ['sha1: prefix', `sha1:${'d'.repeat(40)}`],
  ]) {
    it(`calls a ${label} digest outdated`, () => {
      const e = evaluateMigration({
        manifest: { ...manifest, config_sha256: digest },
        config,
        policies: none,
      });
      expect(rules(e.findings)).to.deep.equal(['outdated-hash-algorithm']);
    });
  }

  it('rejects duplicate keys in the config and in the manifest', () => {
    const dupConfig = Buffer.from('tls:\n  enabled: true\n  enabled: false\n');
    expect(rules(evaluateMigration({ manifest, config: dupConfig, policies: none }).findings)).to.deep.equal([
      'config-parse-error',
    ]);
    const dupManifest = Buffer.from(
      `{"app_id":"a","app_id":"b","env":"prod","version":"1","config_sha256":"${sha}"}`,
    );
    expect(
      rules(evaluateMigration({ manifest: dupManifest, config, policies: none }).findings),
    ).to.deep.equal(['manifest-parse-error']);
  });

  it('treats a wrongly typed known field as a schema error, without echoing its value', () => {
    const c = Buffer.from('tls:\n  enabled: "hunter2-not-a-bool"\n');
    const e = evaluateMigration({
      manifest: { ...manifest, config_sha256: createHash('sha256').update(c).digest('hex') },
      config: c,
      policies: none,
    });
    expect(rules(e.findings)).to.deep.equal(['config-schema']);
    expect(e.findings[0]!.path).to.equal('tls.enabled');
    expect(JSON.stringify(e)).to.not.contain('hunter2');
  });

  it('turns a throwing policy evaluator into a blocking finding', () => {
    const e = evaluateMigration({
      manifest,
      config,
      policies: () => {
        throw new Error('boom');
      },
    });
    expect(rules(e.findings)).to.deep.equal(['policy-evaluation-error']);
    expect(e.steps.find((s) => s.step === 'policies')!.status).to.equal('fail');
  });

  it('refuses a config that is not a mapping', () => {
    const c = Buffer.from('- a\n- b\n');
    const e = evaluateMigration({
      manifest: { ...manifest, config_sha256: createHash('sha256').update(c).digest('hex') },
      config: c,
      policies: none,
    });
    expect(rules(e.findings)).to.deep.equal(['config-schema']);
  });
});
