// The admit use case's failure paths: whatever breaks, the answer is a
// denial with a reason, never allowed: true.
import { expect } from 'chai';
import { silentLogger } from '../../../src/adapters/log.js';
import { systemClock, ulidGenerator } from '../../../src/adapters/system.js';
import { AdmissionReviewSchema } from '../../../src/core/admission/admission-review.js';
import { admissionBudget } from '../../../src/core/admission/deadline.js';
import { admit, admitFailed } from '../../../src/services/admission/admit.js';
import { AlertBook } from '../../../src/services/alerts.js';
import type { GateContext } from '../../../src/services/gate-context.js';
import { noMetrics } from '../../../src/core/ports/metrics.js';
import { PolicyStore } from '../../../src/services/policy/policy-store.js';
import { admissionReview } from '../../support/admission-review.js';
import { MemoryAuditSink } from '../../support/memory-audit-sink.js';

const ctx = (): GateContext => ({
  clock: systemClock,
  ids: ulidGenerator(),
  audit: new MemoryAuditSink(),
  policies: new PolicyStore(),
  logger: silentLogger,
  metrics: noMetrics,
  alerts: new AlertBook(),
  keys: { keys: () => [], digest: () => 'sha256:none' },
  auditFailClosed: true,
});
const mr = AdmissionReviewSchema.parse(
  admissionReview({
    apiVersion: 'migrationgate.io/v1alpha1',
    kind: 'MigrationRequest',
    metadata: { name: 'db', namespace: 'ns' },
    spec: {},
  }),
);
const cm = AdmissionReviewSchema.parse(
  admissionReview({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'ns' },
    data: { 'app-config.yaml': 'a: 1' },
  }),
);
const call = (review: typeof mr) => ({
  review,
  requestId: 'req',
  budget: admissionBudget('10s', 10),
  receivedAt: performance.now(),
});

describe('admit: failure paths', () => {
  it('a replication admitter that throws is a recorded BLOCK [internal-error]', async () => {
    const c = ctx();
    const out = await admit(c, call(mr), {
      gatedKeys: ['app-config.yaml'],
      maxConfigBytes: 1024,
      replication: async () => {
        throw new Error('kaboom');
      },
    });
    expect(out.body.response.allowed).to.equal(false);
    expect(out.body.response.status!.message.split('\n')[1]).to.match(
      /^\[internal-error\] internal error: kaboom/,
    );
    expect((c.audit as MemoryAuditSink).records).to.have.length(1);
  });

  it('without a T2 path a MigrationRequest is a BLOCK [t2-unavailable]', async () => {
    const out = await admit(ctx(), call(mr), { gatedKeys: [], maxConfigBytes: 1024 });
    expect(out.body.response.status!.message).to.contain('[t2-unavailable]');
  });

  it('a gated ConfigMap without its manifest is a BLOCK even with no policy set loaded', async () => {
    const out = await admit(ctx(), call(cm), { gatedKeys: ['app-config.yaml'], maxConfigBytes: 1024 });
    expect(out.body.response.allowed).to.equal(false);
  });

  it('admitFailed answers a denial naming the request', () => {
    const out = admitFailed(ctx(), cm, 'req-9', new Error('bug'));
    expect(out.body.response.uid).to.equal(cm.request.uid);
    expect(out.body.response.allowed).to.equal(false);
    expect(out.body.response.status!.message.split('\n')).to.deep.equal([
      'migration-gate BLOCKED ConfigMap ns/c (T1, request req-9)',
      '[internal-error] internal error: the gate failed while deciding; see its log for the request id',
    ]);
  });
});
