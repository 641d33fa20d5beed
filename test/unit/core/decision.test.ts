import { expect } from 'chai';
import { decide } from '../../../src/core/decision.js';

describe('decide', () => {
  const ctx = { requestId: 'r1', timestamp: '2026-01-01T00:00:00.000Z' };
  it('allows when every step passed and nothing blocks', () => {
    const r = decide(
      {
        scenario: 'T1',
        subject: {},
        steps: [{ step: 'parse', status: 'pass' }],
        findings: [{ rule: 'x', severity: 'low', action: 'warn', message: 'careful' }],
      },
      ctx,
    );
    expect(r.decision).to.equal('ALLOW');
    expect(r.warnings).to.deep.equal(['[x] careful']);
  });
  it('blocks on a failed step even without a finding', () => {
    const r = decide(
      {
        scenario: 'T1',
        subject: {},
        steps: [{ step: 'hash', status: 'fail', detail: 'boom' }],
        findings: [],
      },
      ctx,
    );
    expect(r.decision).to.equal('BLOCK');
    expect(r.reasons[0]).to.contain('hash');
  });
  it('blocks when no step ran', () => {
    expect(decide({ scenario: 'T2', subject: {}, steps: [], findings: [] }, ctx).decision).to.equal('BLOCK');
  });
});
