// A MigrationRequest naming a native pg_basebackup directory (spec.backup.url
// + spec.expectedBackupManifestHash) instead of one archive: admitted
// through the real artifact source (file:// under the root), refused when it
// cannot be restored, and malformed specs are refused by the contract.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createArtifactSource } from '../../../src/adapters/artifacts/artifact-source.js';
import { loadPinnedKeys } from '../../../src/adapters/pinned-keys.js';
import { readPolicyDir } from '../../../src/adapters/policy-files.js';
import { silentLogger } from '../../../src/adapters/log.js';
import { systemClock, ulidGenerator } from '../../../src/adapters/system.js';
import { AdmissionReviewSchema } from '../../../src/core/admission/admission-review.js';
import { admissionBudget } from '../../../src/core/admission/deadline.js';
import { parseMigrationRequest } from '../../../src/core/admission/migration-request.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../../src/core/replication/pipeline.js';
import { admit } from '../../../src/services/admission/admit.js';
import { replicationAdmitter } from '../../../src/services/admission/migration-request.js';
import { BackgroundVerifications } from '../../../src/services/admission/verifications.js';
import { AlertBook } from '../../../src/services/alerts.js';
import type { GateContext } from '../../../src/services/gate-context.js';
import { noMetrics } from '../../../src/core/ports/metrics.js';
import { PolicyStore } from '../../../src/services/policy/policy-store.js';
import { admissionReview } from '../../support/admission-review.js';
import { MemoryAuditSink } from '../../support/memory-audit-sink.js';
import { sha256, syntheticNativeBackup } from '../../support/pg/synthetic-backup.js';

describe('MigrationRequest with a native pg_basebackup directory (spec.backup)', function () {
  this.timeout(20_000);
  let ctx: GateContext;
  let root: string;
  const good = syntheticNativeBackup();

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'mg-mr-native-'));
    for (const [dir, names] of [
      ['good', Object.keys(good.files)],
      ['no-wal', ['backup_manifest', 'base.tar.gz']],
    ] as const) {
      mkdirSync(path.join(root, dir));
      for (const n of names) writeFileSync(path.join(root, dir, n), good.files[n]!);
    }
    const policies = new PolicyStore();
    expect(policies.reload(await readPolicyDir('policies'), new Date())).to.equal(true);
    ctx = {
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
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const spec = (dir: string, extra: Record<string, unknown> = {}) => ({
    sourceDb: 'a',
    targetDb: 'b',
    syncMode: 'async',
    env: 'staging',
    expectedBackupManifestHash: `sha256:${sha256(good.manifest)}`,
    backup: { url: `file://${root}/${dir}/` },
    ...extra,
  });
  const mr = (s: Record<string, unknown>) => ({
    apiVersion: 'migrationgate.io/v1alpha1',
    kind: 'MigrationRequest',
    metadata: { name: 'orders-native', namespace: 'payments' },
    spec: s,
  });

  async function decide(s: Record<string, unknown>) {
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
        backgroundTimeoutMs: 10_000,
      }),
    };
    const review = AdmissionReviewSchema.parse(admissionReview(mr(s)));
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

  it('a restorable tar-format directory is admitted', async () => {
    const res = await decide(spec('good'));
    expect(res.body.response.status?.message ?? '', JSON.stringify(res.body.response)).to.not.contain(
      'BLOCK',
    );
    expect(res.body.response.allowed).to.equal(true);
  });

  it('a directory without its WAL is denied: [backup-wal-missing]', async () => {
    const res = await decide(spec('no-wal'));
    expect(res.body.response.allowed).to.equal(false);
    expect(res.body.response.status!.message).to.contain('[backup-wal-missing]');
  });

  it('the contract: exactly one of (expectedSnapshotHash, snapshot) and (expectedBackupManifestHash, backup)', () => {
    expect(parseMigrationRequest(mr(spec('good'))).ok).to.equal(true);
    const both = parseMigrationRequest(
      mr(spec('good', { expectedSnapshotHash: 'sha256:' + 'a'.repeat(64), snapshot: { url: 'file:///x' } })),
    );
    expect(both.ok).to.equal(false);
    const half = parseMigrationRequest(mr({ ...spec('good'), backup: undefined }));
    expect(half.ok).to.equal(false);
  });
});
