import { expect } from 'chai';
import { AdmissionReviewResponseSchema } from '../../../src/core/admission/admission-review.js';
import {
  blockedMessage,
  passResponse,
  reviewResponse,
  warningLine,
  warningLines,
  MAX_WARNINGS,
} from '../../../src/core/admission/response.js';
import type { DecisionReport } from '../../../src/core/contracts/report.js';

const report = (over: Partial<DecisionReport> = {}): DecisionReport => ({
  request_id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  timestamp: '2026-11-23T10:00:00.000Z',
  scenario: 'T1',
  decision: 'BLOCK',
  subject: {},
  steps: [],
  findings: [],
  reasons: [
    '[prod-requires-tls] tls.enabled must be true in prod (at tls.enabled)',
    '[no-public-bind] port 8443 binds 0.0.0.0 (at ports[0].host)',
  ],
  warnings: [],
  ...over,
});
const target = { kind: 'ConfigMap', namespace: 'payments', name: 'orders-config' };

describe('admission response builder', () => {
  it('denies with 403 Forbidden, a first line naming gate, object, scenario and request, then one line per reason', () => {
    const r = reviewResponse('uid-1', report(), target);
    expect(AdmissionReviewResponseSchema.safeParse(r).success).to.equal(true);
    expect(r).to.deep.include({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    expect(r.response.uid).to.equal('uid-1');
    expect(r.response.allowed).to.equal(false);
    expect(r.response.status).to.include({ code: 403, reason: 'Forbidden' });
    expect(r.response.status!.message.split('\n')).to.deep.equal([
      'migration-gate BLOCKED ConfigMap payments/orders-config (T1, request 01JABCDEFGHJKMNPQRSTVWXYZ0)',
      '[prod-requires-tls] tls.enabled must be true in prod (at tls.enabled)',
      '[no-public-bind] port 8443 binds 0.0.0.0 (at ports[0].host)',
    ]);
  });

  it('allows with warnings and no status', () => {
    const r = reviewResponse(
      'uid-2',
      report({
        decision: 'ALLOW',
        reasons: [],
        warnings: ['[no-inline-secrets] database.password holds a literal (at database.password)'],
      }),
      target,
    );
    expect(r.response).to.deep.equal({
      uid: 'uid-2',
      allowed: true,
      warnings: ['[no-inline-secrets] database.password holds a literal (at database.password)'],
    });
  });

  it('keeps warnings on a denial too', () => {
    const r = reviewResponse('u', report({ warnings: ['[x] y'] }), target);
    expect(r.response.warnings).to.deep.equal(['[x] y']);
  });

  it('never allows a BLOCK, even one without reasons', () => {
    const r = reviewResponse('u', report({ reasons: [] }), target);
    expect(r.response.allowed).to.equal(false);
    expect(r.response.status!.message.split('\n')[1]).to.match(/^\[blocked\]/);
  });

  it('truncates warnings to 120 characters with an ellipsis, on one line', () => {
    const long = `[rule] ${'é'.repeat(200)}`;
    const w = warningLine(long);
    expect(Array.from(w)).to.have.length(120);
    expect(w.endsWith('…')).to.equal(true);
    expect(warningLine('a\nb\tc')).to.equal('a b c');
    expect(warningLine('x'.repeat(120))).to.equal('x'.repeat(120));
  });

  it('caps the number of warnings and says how many were left out', () => {
    const many = Array.from({ length: MAX_WARNINGS + 5 }, (_, i) => `[w] ${i}`);
    const out = warningLines(many);
    expect(out).to.have.length(MAX_WARNINGS + 1);
    expect(out.at(-1)).to.contain('5 more');
  });

  it('names unnamed (generateName) and cluster-scoped objects sensibly, and keeps reason lines single-line', () => {
    expect(
      blockedMessage(report({ reasons: ['[r] two\nlines'] }), { kind: 'ConfigMap', namespace: 'ns' }).split(
        '\n',
      ),
    ).to.deep.equal([
      'migration-gate BLOCKED ConfigMap ns/(unnamed) (T1, request 01JABCDEFGHJKMNPQRSTVWXYZ0)',
      '[r] two lines',
    ]);
    expect(
      blockedMessage(report({ scenario: 'T2' }), { kind: 'MigrationRequest', name: 'x' }).split('\n')[0],
    ).to.contain('MigrationRequest x (T2,');
  });

  it('passes untouched objects with allowed true', () => {
    expect(passResponse('u').response).to.deep.equal({ uid: 'u', allowed: true });
  });
});
