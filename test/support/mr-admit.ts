// Admits a MigrationRequest through the real admission path (admit →
// replicationAdmitter → the file:// artifact source under `root`), with the
// repository's policies and the example keys: the service level below the
// webhook's HTTP, for tests of what a spec names.
import { expect } from 'chai';
import { createArtifactSource } from '../../src/adapters/artifacts/artifact-source.js';
import { loadPinnedKeys } from '../../src/adapters/pinned-keys.js';
import { readPolicyDir } from '../../src/adapters/policy-files.js';
import { silentLogger } from '../../src/adapters/log.js';
import { systemClock, ulidGenerator } from '../../src/adapters/system.js';
import { AdmissionReviewSchema } from '../../src/core/admission/admission-review.js';
import { admissionBudget } from '../../src/core/admission/deadline.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../src/core/replication/pipeline.js';
import { admit } from '../../src/services/admission/admit.js';
import { replicationAdmitter } from '../../src/services/admission/migration-request.js';
import { BackgroundVerifications } from '../../src/services/admission/verifications.js';
import { AlertBook } from '../../src/services/alerts.js';
import type { GateContext } from '../../src/services/gate-context.js';
import { noMetrics } from '../../src/core/ports/metrics.js';
import { PolicyStore } from '../../src/services/policy/policy-store.js';
import { admissionReview } from './admission-review.js';
import { MemoryAuditSink } from './memory-audit-sink.js';

export async function mrContext(): Promise<GateContext> {
  const policies = new PolicyStore();
  expect(policies.reload(await readPolicyDir('policies'), new Date())).to.equal(true);
  return {
    clock: systemClock,
    ids: ulidGenerator(),
    audit: new MemoryAuditSink(),
    policies,
    logger: silentLogger,
    metrics: noMetrics,
    alerts: new AlertBook(),
    keys: await loadPinnedKeys('examples/keys/trusted', silentLogger),
    auditFailClosed: true,
  };
}

export function migrationRequest(spec: Record<string, unknown>) {
  return {
    apiVersion: 'migrationgate.io/v1alpha1',
    kind: 'MigrationRequest',
    metadata: { name: 'orders-native', namespace: 'payments' },
    spec,
  };
}

/** The admission answer for a MigrationRequest with `spec`, in the staging namespace binding. */
export async function admitMigrationRequest(
  ctx: GateContext,
  root: string,
  spec: Record<string, unknown>,
  backgroundTimeoutMs = 10_000,
) {
  const artifacts = createArtifactSource({ root, hosts: [], maxBytes: 1 << 30, timeoutMs: 10_000 });
  const settings = {
    gatedKeys: [],
    maxConfigBytes: 1 << 20,
    replication: replicationAdmitter(ctx, {
      artifacts,
      limits: DEFAULT_REPLICATION_LIMITS,
      verifications: new BackgroundVerifications({
        maxEntries: 2,
        resultTtlMs: 60_000,
        now: () => Date.now(),
      }),
      backgroundTimeoutMs,
    }),
  };
  const review = AdmissionReviewSchema.parse(admissionReview(migrationRequest(spec)));
  return admit(
    ctx,
    {
      review,
      bound: { env: 'staging', path: '/validate/staging' },
      requestId: 'req-native',
      budget: admissionBudget('10s', 10),
      receivedAt: performance.now(),
    },
    settings,
  );
}
