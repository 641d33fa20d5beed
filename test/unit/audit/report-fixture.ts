// Decision reports for audit tests. Not a *.test.ts: mocha does not run it.
import type { DecisionReport } from '../../../src/core/contracts/report.js';

export function report(n: number, overrides: Partial<DecisionReport> = {}): DecisionReport {
  return {
    request_id: `req-${n}`,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    scenario: n % 2 === 0 ? 'T1' : 'T2',
    decision: n % 3 === 0 ? 'ALLOW' : 'BLOCK',
    subject: { app_id: `app-${n % 4}`, env: 'prod' },
    steps: [{ step: 'hash', status: 'pass' }],
    findings: [],
    reasons: n % 3 === 0 ? [] : ['[config-hash-mismatch] sha256 differs'],
    warnings: [],
    ...overrides,
  };
}
