// Warn-first enforcement (core/enforcement.ts): what warn and audit may
// relax, what they never may, and that the record keeps both decisions.
import { expect } from 'chai';
import type { DecisionReport, Finding, StepResult } from '../../../src/core/contracts/report.js';
import { decide } from '../../../src/core/decision.js';
import { applyEnforcement, type EnforcementContext } from '../../../src/core/enforcement.js';

const f = (rule: string, action: 'block' | 'warn' = 'block'): Finding => ({
  rule,
  severity: 'high',
  action,
  message: `${rule} failed`,
});
const pass = (step: string): StepResult => ({ step, status: 'pass' });
const fail = (step: string): StepResult => ({ step, status: 'fail', detail: 'x' });
const T1_OK = ['parse', 'schema', 'signature', 'hash', 'compare'].map(pass);

function report(steps: StepResult[], findings: Finding[]): DecisionReport {
  return decide(
    { scenario: 'T1', subject: {}, steps, findings },
    { requestId: 'r1', timestamp: '2026-01-01T00:00:00Z' },
  );
}

const rules = new Map<
  string,
  { enforcement?: Partial<Record<'prod' | 'staging', 'enforce' | 'warn' | 'audit'>> }
>([
  ['prod-requires-tls', {}],
  ['prod-debug-disabled', {}],
  ['pinned', { enforcement: { prod: 'enforce' } }],
  ['dry-run', { enforcement: { prod: 'audit', staging: 'audit' } }],
]);
const ctx = (mode: EnforcementContext['mode'], env: 'prod' | 'staging' = 'prod'): EnforcementContext => ({
  mode,
  env,
  rules,
});
const policyBlock = (...ids: string[]): DecisionReport =>
  report(
    [...T1_OK, fail('policies')],
    ids.map((id) => f(id)),
  );

describe('enforcement modes', () => {
  it('enforce: a BLOCK stays a BLOCK and the report is untouched', () => {
    const r = policyBlock('prod-requires-tls');
    expect(applyEnforcement(r, ctx('enforce'))).to.equal(r);
  });

  it('warn: a policy BLOCK is admitted with a would-block warning; the record keeps the would-be decision and the reasons', () => {
    const r = applyEnforcement(policyBlock('prod-requires-tls', 'prod-debug-disabled'), ctx('warn'));
    expect(r.decision).to.equal('ALLOW');
    expect(r.enforcement).to.deep.equal({
      mode: 'warn',
      would_be: 'BLOCK',
      outcome: 'ALLOW',
      relaxed: ['prod-requires-tls', 'prod-debug-disabled'],
      enforced: [],
    });
    expect(r.reasons).to.have.length(2);
    expect(r.warnings[0]).to.equal('(warn mode: would block) [prod-requires-tls] prod-requires-tls failed');
  });

  it('audit: admitted silently (no added warning), recorded the same way; genuine warn findings are still shown', () => {
    const base = report([...T1_OK, fail('policies')], [f('prod-requires-tls'), f('staging-hint', 'warn')]);
    const r = applyEnforcement(base, ctx('audit'));
    expect(r.decision).to.equal('ALLOW');
    expect(r.warnings).to.deep.equal(base.warnings);
    expect(r.enforcement).to.deep.include({ mode: 'audit', would_be: 'BLOCK', outcome: 'ALLOW' });
  });

  it('an ALLOW in warn mode is noted as such', () => {
    const r = applyEnforcement(report([...T1_OK, pass('policies')], []), ctx('warn'));
    expect(r.decision).to.equal('ALLOW');
    expect(r.enforcement).to.deep.equal({
      mode: 'warn',
      would_be: 'ALLOW',
      outcome: 'ALLOW',
      relaxed: [],
      enforced: [],
    });
  });

  for (const [what, steps, id] of [
    [
      'a hash mismatch (tampering)',
      [pass('parse'), pass('schema'), pass('signature'), pass('hash'), fail('compare')],
      'config-hash-mismatch',
    ],
    ['a bad signature', [pass('parse'), pass('schema'), fail('signature')], 'signature-invalid'],
    ['a parse failure', [fail('parse')], 'config-parse-error'],
    ['an environment mismatch', [pass('parse'), fail('schema')], 'env-mismatch'],
    ['an internal error', [fail('request')], 'internal-error'],
    ['no policy set', [fail('policies')], 'policy-unavailable'],
    ['a deadline', [fail('deadline')], 'deadline-exceeded'],
  ] as const) {
    it(`never relaxes ${what}, in warn or audit`, () => {
      for (const mode of ['warn', 'audit'] as const) {
        const r = applyEnforcement(report([...steps], [f(id)]), ctx(mode));
        expect(r.decision, mode).to.equal('BLOCK');
        expect(r.enforcement).to.deep.equal({
          mode,
          would_be: 'BLOCK',
          outcome: 'BLOCK',
          relaxed: [],
          enforced: [id],
        });
      }
    });
  }

  it('a policy finding beside an integrity failure does not relax the BLOCK (attack: hide a mismatch among policy findings)', () => {
    const r = applyEnforcement(
      report(
        [pass('parse'), pass('schema'), pass('signature'), pass('hash'), fail('compare'), fail('policies')],
        [f('config-hash-mismatch'), f('prod-requires-tls')],
      ),
      ctx('warn'),
    );
    expect(r.decision).to.equal('BLOCK');
    expect(r.enforcement!.outcome).to.equal('BLOCK');
  });

  it('a failed step with no finding of its own is not relaxable (the step-failed reason has no rule to relax)', () => {
    const r = applyEnforcement(
      report([...T1_OK, fail('policies'), fail('extra')], [f('prod-requires-tls')]),
      ctx('audit'),
    );
    expect(r.decision).to.equal('BLOCK');
    const none = applyEnforcement(report([], []), ctx('audit'));
    expect(none.decision).to.equal('BLOCK');
  });

  it('manifest-missing (absent evidence, its own parse rejection) is relaxed; other parse rejections are not', () => {
    expect(applyEnforcement(report([fail('parse')], [f('manifest-missing')]), ctx('warn')).decision).to.equal(
      'ALLOW',
    );
    expect(
      applyEnforcement(report([fail('parse')], [f('manifest-ambiguous')]), ctx('warn')).decision,
    ).to.equal('BLOCK');
    expect(applyEnforcement(report([fail('parse')], [f('config-missing')]), ctx('audit')).decision).to.equal(
      'BLOCK',
    );
  });

  it('a rule pinned to enforce blocks in a warn namespace; the others are still relaxed but the BLOCK stands', () => {
    const r = applyEnforcement(policyBlock('pinned', 'prod-requires-tls'), ctx('warn'));
    expect(r.decision).to.equal('BLOCK');
    expect(r.enforcement).to.deep.include({ would_be: 'BLOCK', outcome: 'BLOCK' });
    // The pin is per environment: in staging the namespace's mode applies.
    expect(applyEnforcement(policyBlock('pinned'), ctx('warn', 'staging')).decision).to.equal('ALLOW');
  });

  it('a rule in audit (dry run) is admitted even in an enforcing namespace, and recorded', () => {
    const r = applyEnforcement(policyBlock('dry-run'), ctx('enforce'));
    expect(r.decision).to.equal('ALLOW');
    expect(r.enforcement).to.deep.equal({
      mode: 'enforce',
      would_be: 'BLOCK',
      outcome: 'ALLOW',
      relaxed: ['dry-run'],
      enforced: [],
    });
    expect(r.warnings.some((w) => w.includes('would block'))).to.equal(false);
    expect(applyEnforcement(policyBlock('dry-run', 'prod-requires-tls'), ctx('enforce')).decision).to.equal(
      'BLOCK',
    );
  });
});
