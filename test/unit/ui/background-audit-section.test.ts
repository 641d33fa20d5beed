// The status page's background audit card: off, pending, and a run with
// failing objects (names escaped: a ConfigMap name is caller-written).
import { expect } from 'chai';
import { backgroundAuditSection } from '../../../src/adapters/http/ui/background-audit-section.js';
import type { BackgroundAuditSummary } from '../../../src/services/audit/background-audit.js';

const run: BackgroundAuditSummary = {
  reason: 'policy-change',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  policyDigest: `sha256:${'a'.repeat(64)}`,
  namespaces: 2,
  objects: 3,
  results: { pass: 1, fail: 2, warn: 0, error: 0 },
  failing: [{ namespace: 'payments', name: '<img src=x onerror=alert(1)>', rules: ['prod-requires-tls'] }],
  errors: ['listing configmaps in b: forbidden'],
};

describe('status page: background audit card', () => {
  it('says when it is off, and when the first run is pending', () => {
    expect(backgroundAuditSection(undefined, false).text).to.contain(
      'off (GATE_BACKGROUND_AUDIT_INTERVAL_SECONDS=0)',
    );
    expect(backgroundAuditSection(undefined, true).text).to.contain('first run pending');
  });

  it('shows the counts, the run, its errors and the failing objects, escaped', () => {
    const t = backgroundAuditSection(run, true).text;
    expect(t).to.contain('3 objects in 2 namespaces');
    expect(t).to.match(/class="status-bad" data-count="bg-fail">2 fail</);
    expect(t).to.contain('policy-change run finished 2026-01-01T00:00:01.000Z');
    expect(t).to.contain('1 error(s): listing configmaps in b: forbidden');
    expect(t).to.contain('[prod-requires-tls]');
    expect(t).to.not.contain('<img');
    expect(t).to.contain('&lt;img');
  });
});
