import { expect } from 'chai';
import { goodCase, manifestYaml, run, ed25519, signDetached } from './helpers.js';
import { T2_STEPS } from '../../../src/core/replication/run.js';

describe('verifyReplication: the happy path', () => {
  it('allows a consistent snapshot, backup_manifest and WAL (staging, unsigned)', async () => {
    const { report, evaluation } = await run({});
    expect(report.reasons).to.deep.equal([]);
    expect(report.decision).to.equal('ALLOW');
    expect(evaluation.steps.map((s) => s.step)).to.deep.equal([...T2_STEPS]);
    expect(evaluation.steps.filter((s) => s.status === 'fail')).to.deep.equal([]);
    expect(evaluation.subject.source_db).to.equal('orders-old');
    expect(evaluation.subject.snapshot_digest).to.match(/^sha256:[0-9a-f]{64}$/);
  });

  it('allows prod with a verified Ed25519 detached signature, and hands the policies the facts', async () => {
    const k = ed25519();
    const fields = { ...goodCase().fields, env: 'prod' };
    const manifestBytes = manifestYaml(fields);
    let seen: unknown;
    const { report } = await run({
      fields,
      manifestBytes,
      keys: [k.pinned],
      signature: { kind: 'detached', bytes: signDetached(manifestBytes, k.privateKey) },
      policies: (f) => {
        seen = f;
        return [];
      },
    });
    expect(report.decision).to.equal('ALLOW');
    expect(seen).to.deep.include({
      env: 'prod',
      hash: { algorithm: 'sha256' },
      signature: { present: true, verified: true, format: 'detached', key_id: 'test-ed25519' },
      wal: { listed: 2, received: 2, continuous: true, covers_backup: true },
      backup: { has_manifest: true, verified: true },
    });
  });

  it('blocks unsigned prod through the policy, not the signature step', async () => {
    const { report, evaluation } = await run({ fields: { ...goodCase().fields, env: 'prod' } });
    expect(report.decision).to.equal('BLOCK');
    expect(report.reasons.join('\n')).to.contain('t2-signature-required');
    expect(evaluation.steps.find((s) => s.step === 'signature')?.status).to.equal('skipped');
  });

  it('reports progress', async () => {
    let last = 0;
    await run({
      onProgress: (n) => {
        last = n;
      },
    });
    expect(last).to.be.greaterThan(2 * 1024 * 1024);
  });
});
