// A MigrationRequest whose snapshot cannot be verified inside the admission
// deadline: BLOCK "still verifying, N of M bytes", the verification goes on,
// and the retried request is answered from its result.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadPinnedKeys } from '../../../src/adapters/pinned-keys.js';
import { readPolicyDir } from '../../../src/adapters/policy-files.js';
import { silentLogger } from '../../../src/adapters/log.js';
import { systemClock, ulidGenerator } from '../../../src/adapters/system.js';
import { AdmissionReviewSchema } from '../../../src/core/admission/admission-review.js';
import { admissionBudget } from '../../../src/core/admission/deadline.js';
import type { ArtifactSource, ByteSource } from '../../../src/core/ports/artifacts.js';
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

const EXAMPLES = path.resolve('examples');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Until every kept verification has finished (no fixed sleep: a loaded CI machine is slow). */
async function settled(verifications: BackgroundVerifications): Promise<void> {
  while (verifications.list().some((v) => v.state === 'running')) await sleep(20);
}

/** Serves the snapshot in 100-byte chunks, 60 ms apart (a slow artifact store); other files at once. */
/** `opened` counts snapshot opens: one per verification. */
function slowArtifacts(): ArtifactSource & { opened: number } {
  const source = {
    opened: 0,
    async open(url: string): Promise<ByteSource> {
      const file = new URL(url).pathname;
      if (file.endsWith('snapshot.tar.gz')) source.opened += 1;
      const bytes = readFileSync(file);
      const slow = file.endsWith('snapshot.tar.gz');
      async function* chunks(): AsyncIterable<Uint8Array> {
        if (!slow) {
          yield bytes;
          return;
        }
        for (let i = 0; i < bytes.length; i += 100) {
          await sleep(60);
          yield bytes.subarray(i, i + 100);
        }
      }
      return { stream: chunks(), size: bytes.length, name: path.basename(file) };
    },
  };
  return source;
}

describe('MigrationRequest verification past the admission deadline', function () {
  this.timeout(20_000);
  let ctx: GateContext;
  let sink: MemoryAuditSink;

  before(async () => {
    const policies = new PolicyStore();
    expect(policies.reload(await readPolicyDir('policies'), new Date())).to.equal(true);
    sink = new MemoryAuditSink();
    ctx = {
      clock: systemClock,
      ids: ulidGenerator(),
      audit: sink,
      policies,
      logger: silentLogger,
      metrics: noMetrics,
      alerts: new AlertBook(),
      keys: await loadPinnedKeys('examples/keys/trusted', silentLogger),
      auditFailClosed: true,
    };
  });

  const review = () => {
    const text = JSON.stringify(
      parse(readFileSync('examples/k8s/good-migrationrequest.yaml', 'utf8')),
    ).replaceAll('file:///artifacts/', `file://${EXAMPLES}/`);
    const mr = JSON.parse(text) as Record<string, unknown>;
    return AdmissionReviewSchema.parse(admissionReview(mr));
  };

  it('answers still-verifying with progress, keeps going, then answers the retry from the result', async () => {
    const artifacts = slowArtifacts();
    const verifications = new BackgroundVerifications({
      maxEntries: 2,
      resultTtlMs: 60_000,
      now: () => Date.now(),
    });
    const settings = {
      gatedKeys: [],
      maxConfigBytes: 1 << 20,
      replication: replicationAdmitter(ctx, {
        artifacts,
        limits: DEFAULT_REPLICATION_LIMITS,
        verifications,
        backgroundTimeoutMs: 10_000,
      }),
    };
    const budget = admissionBudget('1s', 10); // decide within 500 ms

    // Answered while the verification still runs (the reason says so): the deadline's answer, no clock needed.
    const first = await admit(
      ctx,
      { review: review(), requestId: 'req-1', budget, receivedAt: performance.now() },
      settings,
    );
    expect(first.body.response.allowed).to.equal(false);
    const line = first.body.response.status!.message.split('\n')[1]!;
    expect(line).to.match(/^\[still-verifying\] still verifying: \d+ of \d+ bytes of the snapshot read/);
    expect(verifications.size).to.equal(1);

    // While it runs, an impatient retry (tiny budget) reports progress again, without starting a second verification.
    const second = await admit(
      ctx,
      {
        review: review(),
        requestId: 'req-2',
        budget: admissionBudget('300ms', 10),
        receivedAt: performance.now(),
      },
      settings,
    );
    expect(second.body.response.status!.message.split('\n')[1]).to.match(/^\[still-verifying\]/);
    expect(artifacts.opened).to.equal(1);
    expect(verifications.size).to.equal(1);

    // Wait for the background run (about 600 ms of snapshot), then the retry is answered from it.
    await settled(verifications);
    const third = await admit(
      ctx,
      {
        review: review(),
        requestId: 'req-3',
        budget: admissionBudget('1s', 10),
        receivedAt: performance.now(),
      },
      settings,
    );
    expect(third.body.response.allowed, third.body.response.status?.message).to.equal(true);
    expect(sink.records.at(-1)!.request_id).to.equal('req-3');
    expect(verifications.size).to.equal(0);
    expect(artifacts.opened).to.equal(1);
  });

  it('a finished result is never handed out after the pinned key set changed (issue 12: keyed by policy and key digests)', async () => {
    const artifacts = slowArtifacts();
    const verifications = new BackgroundVerifications({
      maxEntries: 2,
      resultTtlMs: 60_000,
      now: () => Date.now(),
    });
    const settings = {
      gatedKeys: [],
      maxConfigBytes: 1 << 20,
      replication: replicationAdmitter(ctx, {
        artifacts,
        limits: DEFAULT_REPLICATION_LIMITS,
        verifications,
        backgroundTimeoutMs: 10_000,
      }),
    };
    const first = await admit(
      ctx,
      {
        review: review(),
        requestId: 'req-k1',
        budget: admissionBudget('1s', 10),
        receivedAt: performance.now(),
      },
      settings,
    );
    expect(first.body.response.status!.message).to.contain('[still-verifying]');
    await settled(verifications); // the verification under the example key finishes: an ALLOW waits for its retry
    const trusted = ctx.keys;
    (ctx as { keys: GateContext['keys'] }).keys = { keys: () => [], digest: () => 'sha256:no-keys' };
    try {
      const retry = await admit(
        ctx,
        {
          review: review(),
          requestId: 'req-k2',
          budget: admissionBudget('1s', 10),
          receivedAt: performance.now(),
        },
        settings,
      );
      expect(retry.body.response.allowed, 'not the ALLOW computed under the old key set').to.equal(false);
      expect(artifacts.opened, 'a new verification under the new key set').to.equal(2);
      await settled(verifications);
      const last = await admit(
        ctx,
        {
          review: review(),
          requestId: 'req-k3',
          budget: admissionBudget('1s', 10),
          receivedAt: performance.now(),
        },
        settings,
      );
      expect(last.body.response.allowed).to.equal(false);
      expect(last.body.response.status!.message).to.contain('[signature-invalid]');
    } finally {
      (ctx as { keys: GateContext['keys'] }).keys = trusted;
    }
  });

  it('a verification that finishes in time is not kept', async () => {
    const verifications = new BackgroundVerifications({
      maxEntries: 2,
      resultTtlMs: 60_000,
      now: () => Date.now(),
    });
    const settings = {
      gatedKeys: [],
      maxConfigBytes: 1 << 20,
      replication: replicationAdmitter(ctx, {
        artifacts: slowArtifacts(),
        limits: DEFAULT_REPLICATION_LIMITS,
        verifications,
        backgroundTimeoutMs: 10_000,
      }),
    };
    const r = await admit(
      ctx,
      {
        review: review(),
        requestId: 'req-4',
        budget: admissionBudget('10s', 10),
        receivedAt: performance.now(),
      },
      settings,
    );
    expect(r.body.response.allowed, r.body.response.status?.message).to.equal(true);
    expect(verifications.size).to.equal(0);
  });
});
