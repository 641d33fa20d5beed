// The manifest's env can only match the environment the request is bound to
// (webhook path, API token), never choose it; the policies see the bound env.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  evaluateConfigCheck as evaluateMigration,
  envBindingFinding,
  type EnvBinding,
} from '../../../src/core/config-check.js';
import {
  webhookEnvBinding,
  specEnvMismatch,
  WEBHOOK_PATHS,
} from '../../../src/core/admission/webhook-env.js';
import type { Environment } from '../../../src/core/contracts/migration-manifest.js';
import { ConfigCheckMemo as T1Memo } from '../../../src/services/validation/config-check-memo.js';

const config = Buffer.from('service: orders-api\n');
const manifestFor = (env: string) => ({
  app_id: 'orders-api',
  env,
  version: '1',
  config_sha256: `sha256:${createHash('sha256').update(config).digest('hex')}`,
});
const ENVS: Environment[] = ['prod', 'staging'];

describe('environment binding (core)', () => {
  it('plain /validate is prod, /validate/<env> is that env (enforce), /validate/<env>/warn|audit that env in that mode, nothing else is a webhook path', () => {
    expect(WEBHOOK_PATHS).to.deep.equal([
      { path: '/validate', env: 'prod', mode: 'enforce' },
      { path: '/validate/prod', env: 'prod', mode: 'enforce' },
      { path: '/validate/prod/warn', env: 'prod', mode: 'warn' },
      { path: '/validate/prod/audit', env: 'prod', mode: 'audit' },
      { path: '/validate/staging', env: 'staging', mode: 'enforce' },
      { path: '/validate/staging/warn', env: 'staging', mode: 'warn' },
      { path: '/validate/staging/audit', env: 'staging', mode: 'audit' },
    ]);
  });

  it('a mismatch stops the pipeline at schema with a critical [env-mismatch]; policies never run', () => {
    const e = evaluateMigration({
      manifest: manifestFor('staging'),
      config,
      policies: () => {
        throw new Error('must not run');
      },
      envBinding: webhookEnvBinding('prod', '/validate/prod'),
    });
    expect(e.findings.map((f) => [f.rule, f.action, f.severity, f.path])).to.deep.equal([
      ['env-mismatch', 'block', 'critical', 'env'],
    ]);
    expect(e.steps.map((s) => s.status)).to.deep.equal([
      'pass',
      'fail',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ]);
  });

  it('for every (claimed, bound) pair: policies see the bound env exactly when they match', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ENVS), fc.constantFrom(...ENVS), (claimed, bound) => {
        let seen: string | undefined;
        const e = evaluateMigration({
          manifest: manifestFor(claimed),
          config,
          policies: (v) => {
            seen = v.env;
            return [];
          },
          envBinding: webhookEnvBinding(bound, `/validate/${bound}`),
        });
        if (claimed === bound) expect([seen, e.findings.length]).to.deep.equal([bound, 0]);
        else expect([seen, e.findings[0]?.rule]).to.deep.equal([undefined, 'env-mismatch']);
      }),
    );
  });

  it('a token binding allows any env in its list and names what it allows', () => {
    const binding: EnvBinding = { allowed: ['prod'], rule: 'env-not-permitted', by: 'the API token' };
    expect(envBindingFinding('prod', binding)).to.equal(undefined);
    expect(envBindingFinding('staging', binding)?.message).to.match(
      /^the manifest says env "staging" but the API token allows only "prod"/,
    );
    expect(envBindingFinding('staging', { ...binding, allowed: ['prod', 'staging'] })).to.equal(undefined);
  });

  it('spec.env (absent = prod) must be the path env', () => {
    expect(specEnvMismatch(undefined, 'prod', '/validate')).to.equal(undefined);
    expect(specEnvMismatch('staging', 'staging', '/validate/staging')).to.equal(undefined);
    expect(specEnvMismatch(undefined, 'staging', '/validate/staging')).to.match(/"prod" \(the default\)/);
    expect(specEnvMismatch('staging', 'prod', '/validate/prod')).to.match(
      /^spec\.env is "staging" but the namespace is bound to "prod"/,
    );
  });

  it('the T1 memo never answers one binding with the verdict computed for another', () => {
    const memo = new T1Memo();
    const run = (bound: Environment) =>
      memo.evaluate(
        {
          manifest: manifestFor('staging'),
          config,
          maxConfigBytes: 1000,
          policyDigest: 'p',
          keyDigest: 'k',
          envBinding: webhookEnvBinding(bound, `/validate/${bound}`),
        },
        {},
        () =>
          evaluateMigration({
            manifest: manifestFor('staging'),
            config,
            policies: () => [],
            envBinding: webhookEnvBinding(bound, `/validate/${bound}`),
          }),
      );
    expect(run('staging').findings).to.deep.equal([]);
    expect(run('prod').findings.map((f) => f.rule)).to.deep.equal(['env-mismatch']);
    expect(run('staging').findings).to.deep.equal([]);
  });
});
