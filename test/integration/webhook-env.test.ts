// Issue 12 item 2: the environment of an admission is the webhook path the
// apiserver called (chosen by the namespace's migrationgate.io/env label),
// never the manifest's `env`, which must match it. Over real HTTPS.
import { expect } from 'chai';
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import { admissionReview } from '../support/admission-review.js';
import { MemoryAuditSink } from '../support/memory-audit-sink.js';
import { postReview, startWebhookGate, type WebhookGate } from '../support/webhook-harness.js';
import { EXAMPLES, k8sExample as example, localArtifacts } from '../support/k8s-examples.js';

type Response = { allowed: boolean; status?: { code: number; message: string }; warnings?: string[] };

describe('webhook: the environment is the path, the manifest must match it', () => {
  let gate: WebhookGate;
  let sink: MemoryAuditSink;
  before(async () => {
    sink = new MemoryAuditSink();
    gate = await startWebhookGate({ GATE_ARTIFACT_ROOT: EXAMPLES }, { auditSink: sink });
  });
  after(async () => {
    await gate.stop();
  });

  const post = async (file: string, route: string): Promise<Response> => {
    const res = await postReview(gate, admissionReview(localArtifacts(example(file))), '?timeout=10s', route);
    expect(res.status, res.text).to.equal(200);
    return res.json.response as Response;
  };

  for (const route of ['/validate', '/validate/prod']) {
    it(`a manifest saying staging on ${route} (a prod namespace) is BLOCK [env-mismatch], audited, not a warning`, async () => {
      const before = sink.records.length;
      const r = await post('staging-warn-configmap.yaml', route);
      expect(r.allowed).to.equal(false);
      expect(r.status!.code).to.equal(403);
      expect(r.status!.message).to.match(
        /^\[env-mismatch\] the manifest says env "staging" but the namespace \(webhook path \/validate(\/prod)?\) allows only "prod"/m,
      );
      expect(sink.records.length).to.equal(before + 1);
      const rec = sink.records.at(-1) as AuditRecord;
      expect(rec.decision).to.equal('BLOCK');
      expect(rec.findings.map((f) => f.rule)).to.deep.equal(['env-mismatch']);
    });
  }

  it('the same staging case on /validate/staging is admitted with its warnings', async () => {
    const r = await post('staging-warn-configmap.yaml', '/validate/staging');
    expect(r.allowed, r.status?.message).to.equal(true);
    expect((r.warnings ?? []).some((w) => w.startsWith('[no-inline-secrets]'))).to.equal(true);
  });

  it('a prod manifest in a staging namespace is BLOCK [env-mismatch]: a prod sign-off is not judged by staging rules', async () => {
    const good = await post('good-configmap.yaml', '/validate/staging');
    expect(good.allowed).to.equal(false);
    expect(good.status!.message).to.contain('[env-mismatch]');
    // The prod-only block must not be turned into a staging warning either.
    const tlsOff = await post('bad-tls-off.yaml', '/validate/staging');
    expect(tlsOff.allowed).to.equal(false);
    expect(tlsOff.status!.message).to.contain('[env-mismatch]');
  });

  it('prod cases keep their prod verdicts on /validate/prod', async () => {
    expect((await post('good-configmap.yaml', '/validate/prod')).allowed).to.equal(true);
    const bad = await post('bad-tls-off.yaml', '/validate/prod');
    expect(bad.allowed).to.equal(false);
    expect(bad.status!.message).to.contain('[prod-requires-tls]');
  });

  it('a MigrationRequest whose spec.env differs from the path is BLOCK [env-mismatch] before any artifact is read', async () => {
    const prodMr = await post('good-migrationrequest.yaml', '/validate/staging');
    expect(prodMr.allowed).to.equal(false);
    expect(prodMr.status!.message).to.match(
      /\[env-mismatch\] spec\.env is "prod" but the namespace is bound to "staging"/,
    );
    const mr = example('good-migrationrequest.yaml');
    const staging = { ...mr, spec: { ...(mr.spec as object), env: 'staging' } };
    const res = await postReview(
      gate,
      admissionReview(localArtifacts(staging)),
      '?timeout=10s',
      '/validate/prod',
    );
    const r = res.json.response as Response;
    expect(r.allowed).to.equal(false);
    expect(r.status!.message).to.contain('[env-mismatch]');
    expect((sink.records.at(-1) as AuditRecord).steps.map((s) => s.step)).to.deep.equal(['parse']);
  });

  it('a spec without env (the default, prod) is bound like prod', async () => {
    const mr = example('good-migrationrequest.yaml');
    const { env: _env, ...spec } = mr.spec as Record<string, unknown>;
    const r = (
      await postReview(
        gate,
        admissionReview(localArtifacts({ ...mr, spec })),
        '?timeout=10s',
        '/validate/staging',
      )
    ).json.response as Response;
    expect(r.status!.message).to.match(/spec\.env is "prod" \(the default\)/);
  });

  it('an unknown environment path is 404, never a default', async () => {
    const res = await postReview(
      gate,
      admissionReview(example('good-configmap.yaml')),
      '?timeout=10s',
      '/validate/dev',
    );
    expect(res.status).to.equal(404);
  });
});
