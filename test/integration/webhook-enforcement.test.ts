// Warn and audit namespaces over real HTTPS: the webhook path the
// namespace label selects (/validate/<env>/warn|audit) admits policy
// BLOCKs (warn: with kubectl warnings), records the would-be decision,
// and still blocks integrity failures.
import { expect } from 'chai';
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import { admissionReview } from '../support/admission-review.js';
import { MemoryAuditSink } from '../support/memory-audit-sink.js';
import { postReview, startWebhookGate, type WebhookGate } from '../support/webhook-harness.js';
import { EXAMPLES, k8sExample as example, localArtifacts } from '../support/k8s-examples.js';

type Response = { allowed: boolean; status?: { code: number; message: string }; warnings?: string[] };

describe('webhook: enforcement modes (warn / audit)', () => {
  let gate: WebhookGate;
  let sink: MemoryAuditSink;
  before(async () => {
    sink = new MemoryAuditSink();
    gate = await startWebhookGate({ GATE_ARTIFACT_ROOT: EXAMPLES }, { auditSink: sink });
  });
  after(async () => {
    await gate.stop();
  });

  const post = async (
    object: Record<string, unknown>,
    route: string,
    opts: Parameters<typeof admissionReview>[1] = {},
  ): Promise<{ r: Response; rec: AuditRecord }> => {
    const before = sink.records.length;
    const res = await postReview(gate, admissionReview(localArtifacts(object), opts), '?timeout=10s', route);
    expect(res.status, res.text).to.equal(200);
    expect(sink.records.length, 'one audit record').to.equal(before + 1);
    return { r: res.json.response as Response, rec: sink.records.at(-1) as AuditRecord };
  };

  it('warn: TLS off in prod is admitted with kubectl warnings naming what would have blocked; the record says both decisions', async () => {
    const { r, rec } = await post(example('bad-tls-off.yaml'), '/validate/prod/warn');
    expect(r.allowed).to.equal(true);
    expect(r.warnings!.some((w) => w.startsWith('(warn mode: would block) [prod-requires-tls]'))).to.equal(
      true,
    );
    for (const w of r.warnings!) expect(w.length).to.be.at.most(120);
    expect(rec.decision).to.equal('ALLOW');
    expect(rec.enforcement).to.deep.include({ mode: 'warn', would_be: 'BLOCK', outcome: 'ALLOW' });
    expect(rec.enforcement!.relaxed).to.include('prod-requires-tls');
    expect(rec.reasons.some((x) => x.startsWith('[prod-requires-tls]'))).to.equal(true);
  });

  it('audit: the same object is admitted without the would-block warnings, and recorded as audit', async () => {
    const { r, rec } = await post(example('bad-tls-off.yaml'), '/validate/prod/audit');
    expect(r.allowed).to.equal(true);
    expect((r.warnings ?? []).some((w) => w.includes('would block'))).to.equal(false);
    expect(rec.enforcement).to.deep.include({ mode: 'audit', would_be: 'BLOCK', outcome: 'ALLOW' });
  });

  it('the enforcing paths still deny it', async () => {
    for (const route of ['/validate', '/validate/prod']) {
      const { r, rec } = await post(example('bad-tls-off.yaml'), route);
      expect(r.allowed).to.equal(false);
      expect(rec.enforcement).to.equal(undefined);
    }
  });

  for (const [file, rule] of [
    ['bad-hash-mismatch.yaml', 'config-hash-mismatch'],
    ['bad-duplicate-key.yaml', 'config-parse-error'],
    ['bad-md5-hash.yaml', 'outdated-hash-algorithm'],
    ['bad-two-configs.yaml', 'config-ambiguous'],
  ] as const) {
    it(`integrity and parse failures are never relaxed: ${file} is denied in warn and audit, recorded as enforced`, async () => {
      for (const route of ['/validate/prod/warn', '/validate/prod/audit']) {
        const { r, rec } = await post(example(file), route);
        expect(r.allowed, `${route}: ${JSON.stringify(r)}`).to.equal(false);
        expect(r.status!.message, r.status!.message).to.contain(`[${rule}]`);
        expect(rec.decision).to.equal('BLOCK');
        expect(rec.enforcement).to.deep.include({ would_be: 'BLOCK', outcome: 'BLOCK', relaxed: [] });
      }
    });
  }

  it('an environment mismatch (a prod sign-off in a staging audit namespace) is not relaxed either', async () => {
    const { r, rec } = await post(example('bad-tls-off.yaml'), '/validate/staging/audit');
    expect(r.allowed).to.equal(false);
    expect(r.status!.message).to.contain('[env-mismatch]');
    expect(rec.enforcement).to.deep.include({ mode: 'audit', outcome: 'BLOCK' });
  });

  it('a gated ConfigMap without a manifest (absent evidence) is admitted in warn with a warning', async () => {
    const { r, rec } = await post(example('bad-no-manifest.yaml'), '/validate/prod/warn');
    expect(r.allowed).to.equal(true);
    expect(r.warnings!.some((w) => w.includes('[manifest-missing]'))).to.equal(true);
    expect(rec.enforcement!.relaxed).to.deep.equal(['manifest-missing']);
  });

  it('an unsigned prod MigrationRequest stays denied under audit: the baseline pins t2-signature-required to enforce in prod', async () => {
    const { r, rec } = await post(example('bad-mr-unsigned-prod.yaml'), '/validate/prod/audit');
    expect(r.allowed).to.equal(false);
    expect(r.status!.message).to.contain('[t2-signature-required]');
    expect(rec.enforcement).to.deep.include({ mode: 'audit', would_be: 'BLOCK', outcome: 'BLOCK' });
    expect(rec.enforcement!.enforced).to.include('t2-signature-required');
  });

  it('content admitted only by warn is judged again on an unchanged UPDATE once the namespace enforces (attack: warn, then flip the label)', async () => {
    const object = example('bad-tls-off.yaml');
    expect((await post(object, '/validate/prod/warn')).r.allowed).to.equal(true);
    const { r } = await post(object, '/validate/prod', { operation: 'UPDATE', oldObject: object });
    expect(r.allowed).to.equal(false);
    expect(r.status!.message).to.contain('[prod-requires-tls]');
  });
});
