import { expect } from 'chai';
import fc from 'fast-check';
import {
  compilePolicySet,
  evaluatePolicies,
  type CompiledPolicySet,
} from '../../../src/core/policy/index.js';
import { baseline, goodConfig, t1 } from './baseline-fixture.js';

function compile(rules: string): CompiledPolicySet {
  const r = compilePolicySet([
    {
      name: 'x.yaml',
      text: `apiVersion: migrationgate.io/v1alpha1\nkind: PolicySet\nmetadata: {name: x}\nrules:\n${rules}`,
    },
  ]);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.set;
}
const celRule = (id: string, expression: string, extra = '') =>
  `  - id: ${id}\n    scenario: T1\n    severity: low\n    action: {prod: block, staging: warn}\n    message: ${id} failed\n    expression: '${expression}'\n${extra}`;

describe('evaluatePolicies', () => {
  it('an unguarded missing key is a blocking policy-evaluation-error naming the rule, even for a warn rule', () => {
    const set = compile(celRule('needs-tls', 'config.tls.enabled == true', '    path: tls.enabled\n'));
    const fs = evaluatePolicies(set, { scenario: 'T1', env: 'staging', vars: { config: {}, manifest: {} } });
    expect(fs).to.deep.equal([
      {
        rule: 'policy-evaluation-error',
        severity: 'high',
        action: 'block',
        path: 'tls.enabled',
        message:
          'rule "needs-tls" could not be evaluated: failed (no_such_key); the gate fails closed (guard optional fields with has())',
      },
    ]);
  });

  it('the same rule guarded with has() simply fails', () => {
    const set = compile(celRule('needs-tls', 'has(config.tls) && config.tls.enabled == true'));
    const fs = evaluatePolicies(set, { scenario: 'T1', env: 'staging', vars: { config: {}, manifest: {} } });
    expect(fs).to.deep.equal([
      { rule: 'needs-tls', severity: 'low', action: 'warn', message: 'needs-tls failed' },
    ]);
  });

  it('a type mismatch is an evaluation error that never quotes the input', () => {
    const set = compile(celRule('lookup', 'config[config.k] == 1') + celRule('compare', 'config.k > 1'));
    const fs = evaluatePolicies(set, {
      scenario: 'T1',
      env: 'prod',
      vars: { config: { k: 'hunter2-secret' }, manifest: {} },
    });
    expect(fs.map((f) => f.rule)).to.deep.equal(['policy-evaluation-error', 'policy-evaluation-error']);
    expect(fs.map((f) => f.action)).to.deep.equal(['block', 'block']);
    expect(JSON.stringify(fs)).not.to.contain('hunter2');
  });

  it('a dyn expression that yields a non-bool blocks', () => {
    const set = compile(celRule('dyn-result', 'config.flag'));
    const fs = evaluatePolicies(set, {
      scenario: 'T1',
      env: 'prod',
      vars: { config: { flag: 'yes' }, manifest: {} },
    });
    expect(fs[0]).to.include({ rule: 'policy-evaluation-error', action: 'block' });
    expect(fs[0]?.message).to.contain('not a bool');
  });

  it('integers from JSON behave as CEL ints (arithmetic works)', () => {
    const set = compile(celRule('arith', 'config.n + 1 == 3'));
    expect(
      evaluatePolicies(set, { scenario: 'T1', env: 'prod', vars: { config: { n: 2 }, manifest: {} } }),
    ).to.deep.equal([]);
  });

  it('only runs rules for the scenario and environment', () => {
    const set = baseline();
    const fs = evaluatePolicies(set, {
      scenario: 'T1',
      env: 'staging',
      vars: { config: { tls: { enabled: false } }, manifest: {} },
    });
    expect(fs.map((f) => f.rule)).not.to.include('prod-requires-tls');
    expect(fs.every((f) => !f.rule.startsWith('t2-'))).to.equal(true);
  });

  it('refuses oversized or too deep input with a single blocking finding', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const fs = t1(baseline(), { ...goodConfig(), deep });
    expect(fs).to.have.length(1);
    expect(fs[0]).to.include({ rule: 'policy-evaluation-error', action: 'block' });
    expect(fs[0]?.message).to.contain('nested deeper');
  });

  it('never echoes values under secret-looking keys or token-shaped values', () => {
    const set = compile(
      celRule('pw', 'config.db.password == "x"', '    path: db.password\n') +
        celRule('url', 'config.db.url == "x"', '    path: db.url\n'),
    );
    const fs = evaluatePolicies(set, {
      scenario: 'T1',
      env: 'prod',
      vars: { config: { db: { password: 'pa55', url: 'postgres://u:pw@h/db' } }, manifest: {} },
    });
    expect(fs.map((f) => f.message)).to.deep.equal(['pw failed', 'url failed']);
  });

  it('never throws for arbitrary JSON configs (property)', () => {
    const set = baseline();
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('prod' as const, 'staging' as const), (config, env) => {
        const fs = evaluatePolicies(set, { scenario: 'T1', env, vars: { config, manifest: {} } });
        expect(fs).to.be.an('array');
        for (const f of fs) expect(['block', 'warn']).to.include(f.action);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws for arbitrary config-shaped objects (property)', () => {
    const set = baseline();
    const config = fc.dictionary(
      fc.constantFrom(
        'tls',
        'ports',
        'debug',
        'cors',
        'secret_key',
        'pbkdf2_iterations',
        'audit',
        'secrets_ref',
        'verify_ssl',
        'password',
      ),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(config, (c) => {
        expect(() => t1(set, c)).not.to.throw();
      }),
      { numRuns: 200 },
    );
  });
});

describe('evaluatePolicies input guard', () => {
  it('an unknown environment blocks instead of matching no rule', () => {
    const fs = evaluatePolicies(baseline(), {
      scenario: 'T1',
      env: 'dev' as never,
      vars: { config: goodConfig(), manifest: {} },
    });
    expect(fs.map((f) => [f.rule, f.action])).to.deep.equal([['policy-evaluation-error', 'block']]);
  });
});
