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
    expect(t).to.contain(
      'run incomplete: 1 error(s)</p><ul class="run-errors"><li>listing configmaps in b: forbidden</li></ul>',
    );
    expect(t).to.contain('[prod-requires-tls]');
    expect(t).to.not.contain('<img');
    expect(t).to.contain('&lt;img');
    expect(t).to.contain('class="card wide"');
  });

  it('says how many more there are when it shows only the first errors and failing objects', () => {
    const many: BackgroundAuditSummary = {
      ...run,
      failing: Array.from({ length: 13 }, (_, i) => ({
        namespace: 'payments',
        name: `cm-${i}`,
        rules: ['r'],
      })),
      errors: ['e1', 'e2', 'e3', 'e4', 'e5'],
    };
    const t = backgroundAuditSection(many, true).text;
    expect(t).to.contain('run incomplete: 5 error(s)');
    expect(t).to.contain('<li>e3</li>').and.not.contain('<li>e4</li>');
    expect(t).to.contain('and 2 more').and.contain('and 3 more');
    expect(t).to.contain('payments/cm-9').and.not.contain('payments/cm-10');
  });

  it('a clean run is not widened and lists nothing', () => {
    const clean: BackgroundAuditSummary = {
      ...run,
      results: { pass: 3, fail: 0, warn: 0, error: 0 },
      failing: [],
      errors: [],
    };
    const t = backgroundAuditSection(clean, true).text;
    expect(t).to.match(/class="status-ok" data-count="bg-fail">0 fail</);
    expect(t).to.contain('class="card"').and.not.contain('wide').and.not.contain('<ul');
  });
});
