// The webhook's contract beyond the examples: dryRun, UPDATE shortcuts,
// kinds it does not judge, malformed reviews, TLS floor, the deadline.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { signDetached } from '../../src/core/signing/sign.js';
import { MIGRATION_MANIFEST_PAYLOAD_TYPE } from '../../src/core/signing/payload-types.js';
import { pae } from '../../src/core/replication/dsse.js';
import { canonicalManifestBytes, parseMigrationRequest } from '../../src/core/admission/migration-request.js';
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import type { DecisionReport } from '../../src/core/contracts/report.js';
import { admissionReview, asStored } from '../support/admission-review.js';
import { MemoryAuditSink } from '../support/memory-audit-sink.js';
import { noMetrics } from '../../src/core/ports/metrics.js';
import { httpsRequest, postReview, startWebhookGate, type WebhookGate } from '../support/webhook-harness.js';
import { EXAMPLES, k8sExample as example } from '../support/k8s-examples.js';

type Response = {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
  warnings?: string[];
};
const responseOf = (json: Record<string, unknown>): Response => json.response as Response;

describe('webhook behaviour over HTTPS', () => {
  let gate: WebhookGate;
  let sink: MemoryAuditSink;
  const counted: Array<{ resource: string; operation: string; decision: string }> = [];
  before(async () => {
    sink = new MemoryAuditSink();
    const metrics = {
      ...noMetrics,
      admission: (resource: string, operation: string, decision: string) => {
        counted.push({ resource, operation, decision });
      },
    };
    gate = await startWebhookGate({ GATE_ARTIFACT_ROOT: EXAMPLES }, { auditSink: sink, metrics });
  });
  after(async () => {
    await gate.stop();
  });

  it('answers /healthz over TLS', async () => {
    const res = await httpsRequest(gate, { method: 'GET', path: '/healthz' });
    expect(res.status).to.equal(200);
    expect(res.json.status).to.equal('ok');
  });

  it('dryRun: the same decision, no audit record', async () => {
    const before = sink.records.length;
    const bad = await postReview(gate, admissionReview(example('bad-tls-off.yaml'), { dryRun: true }));
    expect(responseOf(bad.json).allowed).to.equal(false);
    expect(responseOf(bad.json).status!.message).to.contain('[prod-requires-tls]');
    const good = await postReview(gate, admissionReview(example('good-configmap.yaml'), { dryRun: true }));
    expect(responseOf(good.json).allowed).to.equal(true);
    expect(sink.records.length).to.equal(before);
    const logs = await fetch(`${gate.apiUrl}/api/v1/audit/logs?limit=500`, { headers: gate.auth });
    expect(((await logs.json()) as { items: unknown[] }).items.length).to.equal(before);
  });

  it('UPDATE with unchanged data the gate admitted: quick ALLOW, no audit record; changed data is judged', async () => {
    const old = asStored(example('good-configmap.yaml'));
    const relabelled = { ...old, metadata: { ...(old.metadata as object), labels: { team: 'payments' } } };
    // By design (issue 12): the shortcut needs the old content admitted by this gate first.
    expect(responseOf((await postReview(gate, admissionReview(old))).json).allowed).to.equal(true);
    expect(sink.records.at(-1)!.subject.content_digest).to.match(/^sha256:[0-9a-f]{64}$/);
    const before = sink.records.length;
    const same = await postReview(gate, admissionReview(relabelled, { operation: 'UPDATE', oldObject: old }));
    expect(responseOf(same.json).allowed).to.equal(true);
    expect(sink.records.length).to.equal(before);

    const tampered = example('bad-hash-mismatch.yaml');
    const changed = { ...old, data: tampered.data };
    const res = await postReview(gate, admissionReview(changed, { operation: 'UPDATE', oldObject: old }));
    expect(responseOf(res.json).allowed).to.equal(false);
    expect(responseOf(res.json).status!.message).to.contain('[config-hash-mismatch]');
    expect(sink.records.length).to.equal(before + 1);
    expect(sink.records.at(-1)!.subject).to.include({ operation: 'UPDATE' });
  });

  it('a ConfigMap whose config has a YAML merge key is a BLOCK [config-ambiguous], even signed off with the right hash (issue 11)', async () => {
    const cm = example('good-configmap.yaml') as {
      metadata: { annotations: Record<string, string> };
      data: Record<string, string>;
    };
    const config = `${cm.data['app-config.yaml']}overrides:\n  <<: {debug: true, verify_ssl: false}\n`;
    const manifest = {
      ...(JSON.parse(cm.metadata.annotations['migrationgate.io/manifest']!) as object),
      config_sha256: `sha256:${createHash('sha256').update(config).digest('hex')}`,
    };
    const tampered = {
      ...cm,
      metadata: {
        ...cm.metadata,
        annotations: { ...cm.metadata.annotations, 'migrationgate.io/manifest': JSON.stringify(manifest) },
      },
      data: { ...cm.data, 'app-config.yaml': config },
    };
    const r = responseOf((await postReview(gate, admissionReview(tampered))).json);
    expect(r.allowed).to.equal(false);
    expect(r.status!.message.split('\n')[1], r.status!.message).to.match(
      /^\[config-ambiguous\] overrides\.<<: a YAML merge key "<<"/,
    );
  });

  it('a ConfigMap manifest signed in an annotation verifies and the audit names the key; a wrong or foreign signature is a BLOCK (issue 12)', async () => {
    const cm = example('good-configmap.yaml') as {
      metadata: { name: string; annotations: Record<string, string> };
      data: Record<string, string>;
    };
    const manifest = cm.metadata.annotations['migrationgate.io/manifest']!;
    const key = createPrivateKey(
      readFileSync('examples/keys/example-ed25519.key.pem', 'utf8').replace(/^#.*\n/, ''),
    );
    const withAnnotations = (extra: Record<string, string>, name: string): Record<string, unknown> => ({
      ...cm,
      metadata: { ...cm.metadata, name, annotations: { 'migrationgate.io/manifest': manifest, ...extra } },
    });
    const judge = async (object: Record<string, unknown>): Promise<{ r: Response; record: AuditRecord }> => {
      const r = responseOf((await postReview(gate, admissionReview(object))).json);
      return { r, record: sink.records.at(-1) as AuditRecord };
    };
    const signatureStep = (record: AuditRecord): { status: string; detail?: string } | undefined =>
      record.steps.find((s) => s.step === 'signature');

    const good = await judge(
      withAnnotations(
        { 'migrationgate.io/manifest-signature': signDetached(Buffer.from(manifest, 'utf8'), key) },
        'signed-detached',
      ),
    );
    expect(good.r.allowed, good.r.status?.message).to.equal(true);
    expect(good.record.subject.name).to.equal('signed-detached');
    expect(signatureStep(good.record)).to.deep.include({
      status: 'pass',
      detail: 'detached signature verified with key example-ed25519',
    });

    const payload = Buffer.from(manifest, 'utf8');
    const envelope = JSON.stringify({
      payloadType: MIGRATION_MANIFEST_PAYLOAD_TYPE,
      payload: payload.toString('base64'),
      signatures: [
        { sig: sign(null, pae(MIGRATION_MANIFEST_PAYLOAD_TYPE, payload), key).toString('base64') },
      ],
    });
    const dsse = await judge(withAnnotations({ 'migrationgate.io/manifest-dsse': envelope }, 'signed-dsse'));
    expect(dsse.r.allowed, dsse.r.status?.message).to.equal(true);
    expect(signatureStep(dsse.record)).to.deep.include({
      status: 'pass',
      detail: 'dsse signature verified with key example-ed25519',
    });

    // A signature over other bytes (the same manifest re-serialised with a space) does not verify.
    const other = signDetached(Buffer.from(manifest.replace('{"app_id"', '{ "app_id"'), 'utf8'), key);
    const wrong = await judge(
      withAnnotations({ 'migrationgate.io/manifest-signature': other }, 'signed-wrong'),
    );
    expect(wrong.r.allowed).to.equal(false);
    expect(wrong.r.status!.message.split('\n')[1]).to.match(
      /^\[signature-invalid\] the detached signature does not verify against any pinned key/,
    );
    expect(signatureStep(wrong.record)).to.deep.include({ status: 'fail' });

    const unsigned = await judge(withAnnotations({}, 'unsigned'));
    expect(unsigned.r.allowed).to.equal(false);
    expect(unsigned.r.status!.message.split('\n').slice(1)).to.deep.equal([
      '[t1-signature-required] the migration manifest must carry a verified signature (not set) (at signature.verified)',
    ]);

    const both = await judge(
      withAnnotations(
        { 'migrationgate.io/manifest-signature': other, 'migrationgate.io/manifest-dsse': envelope },
        'signed-twice',
      ),
    );
    expect(both.r.allowed).to.equal(false);
    expect(both.r.status!.message.split('\n')[1]).to.match(
      /^\[signature-ambiguous\] the ConfigMap carries two manifest signatures/,
    );
  });

  it('UPDATE that only edits the manifest annotation is judged', async () => {
    const old = asStored(example('good-configmap.yaml'));
    const meta = old.metadata as { annotations: Record<string, string> };
    const edited = {
      ...old,
      metadata: {
        ...meta,
        annotations: {
          'migrationgate.io/manifest': meta.annotations['migrationgate.io/manifest']!.replace(
            '"prod"',
            '"staging"',
          ),
        },
      },
    };
    const res = await postReview(gate, admissionReview(edited, { operation: 'UPDATE', oldObject: old }));
    expect(res.status).to.equal(200);
    expect((sink.records.at(-1) as AuditRecord).subject.env).to.equal('staging');
  });

  it('a ConfigMap without gated content passes untouched: no audit record, only counted', async () => {
    const before = { records: sink.records.length, counted: counted.length };
    const res = await postReview(gate, admissionReview(example('plain-configmap.yaml')));
    expect(responseOf(res.json)).to.deep.include({ allowed: true });
    expect(sink.records.length).to.equal(before.records);
    expect(counted.slice(before.counted)).to.deep.equal([
      { resource: 'configmaps', operation: 'CREATE', decision: 'ALLOW' },
    ]);
  });

  it('passes kinds it does not judge and DELETEs, without an audit record', async () => {
    const before = sink.records.length;
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'payments' },
      data: { 'app-config.yaml': 'eA==' },
    };
    expect(responseOf((await postReview(gate, admissionReview(secret))).json).allowed).to.equal(true);
    const del = admissionReview(example('bad-tls-off.yaml'), {
      operation: 'DELETE',
      oldObject: example('bad-tls-off.yaml'),
    });
    expect(responseOf((await postReview(gate, del)).json).allowed).to.equal(true);
    expect(sink.records.length).to.equal(before);
  });

  const mrOf = (spec: Record<string, unknown>, name = 'orders-db'): Record<string, unknown> => ({
    apiVersion: 'migrationgate.io/v1alpha1',
    kind: 'MigrationRequest',
    metadata: { name, namespace: 'payments' },
    spec,
  });
  const goodSpec = (): Record<string, unknown> => {
    const spec = JSON.parse(
      JSON.stringify(example('good-migrationrequest.yaml').spec).replaceAll(
        'file:///artifacts/',
        `file://${EXAMPLES}/`,
      ),
    ) as Record<string, unknown>;
    delete spec.signature;
    return spec;
  };

  it('MigrationRequest: an artifact outside the artifact root is a BLOCK naming the problem', async () => {
    const spec = { ...goodSpec(), snapshot: { url: 'file:///etc/passwd' } };
    const r = responseOf((await postReview(gate, admissionReview(mrOf(spec)))).json);
    expect(r.allowed).to.equal(false);
    const [first, ...reasons] = r.status!.message.split('\n');
    expect(first).to.match(/^migration-gate BLOCKED MigrationRequest payments\/orders-db \(T2, request /);
    expect(reasons[0]).to.match(
      /^\[artifact-unavailable\] .*is not a file under the artifact root \(it does not exist there, or it resolves outside it\)/,
    );
  });

  it('MigrationRequest: an inline detached signature over the canonical JSON of the spec verifies', async () => {
    const spec = goodSpec();
    const parsed = parseMigrationRequest(mrOf(spec));
    if (!parsed.ok) throw new Error(parsed.message);
    const key = createPrivateKey(
      readFileSync('examples/keys/example-ed25519.key.pem', 'utf8').replace(/^#.*\n/, ''),
    );
    const signature = sign(null, canonicalManifestBytes(parsed.spec), key).toString('base64');
    const signed = await postReview(
      gate,
      admissionReview(mrOf({ ...spec, signature: { format: 'detached', value: signature } })),
    );
    expect(responseOf(signed.json).allowed, responseOf(signed.json).status?.message).to.equal(true);
    const unsigned = responseOf((await postReview(gate, admissionReview(mrOf(spec)))).json);
    expect(unsigned.allowed).to.equal(false);
    expect(unsigned.status!.message).to.contain('[t2-signature-required]');
    const tampered = responseOf(
      (
        await postReview(
          gate,
          admissionReview(
            mrOf({ ...spec, syncMode: 'async', signature: { format: 'detached', value: signature } }),
          ),
        )
      ).json,
    );
    expect(tampered.allowed).to.equal(false);
    expect(tampered.status!.message).to.contain('[signature-invalid]');
  });

  it('an unchanged UPDATE of an object the gate never admitted (it predates enforcement) is judged in full', async () => {
    // A bad ConfigMap that existed before the webhook was installed: relabelling it must not wave it through.
    const old = asStored(example('bad-hash-mismatch.yaml'));
    const relabelled = { ...old, metadata: { ...(old.metadata as object), labels: { team: 'payments' } } };
    const before = sink.records.length;
    const res = responseOf(
      (await postReview(gate, admissionReview(relabelled, { operation: 'UPDATE', oldObject: old }))).json,
    );
    expect(res.allowed).to.equal(false);
    expect(res.status!.message).to.contain('[config-hash-mismatch]');
    expect(sink.records.length).to.equal(before + 1);
    // A good one never admitted is judged too (an audit record), then skipped once admitted.
    const good = asStored(example('good-configmap.yaml'));
    const goodRelabelled = {
      ...good,
      metadata: { ...(good.metadata as object), name: 'never-admitted', labels: { a: 'b' } },
    };
    const goodOld = { ...good, metadata: { ...(good.metadata as object), name: 'never-admitted' } };
    expect(
      responseOf(
        (await postReview(gate, admissionReview(goodRelabelled, { operation: 'UPDATE', oldObject: goodOld })))
          .json,
      ).allowed,
    ).to.equal(true);
    expect(sink.records.length).to.equal(before + 2);
    expect(
      responseOf(
        (await postReview(gate, admissionReview(goodRelabelled, { operation: 'UPDATE', oldObject: goodOld })))
          .json,
      ).allowed,
    ).to.equal(true);
    expect(sink.records.length).to.equal(before + 2);
  });

  it('MigrationRequest: an invalid spec is a BLOCK, and so is an UPDATE of its metadata only (its spec was never admitted)', async () => {
    const bad = responseOf((await postReview(gate, admissionReview(mrOf({ sourceDb: 'a' })))).json);
    expect(bad.allowed).to.equal(false);
    expect(bad.status!.message.split('\n')[1]).to.match(
      /^\[migrationrequest-invalid\] MigrationRequest spec/,
    );
    const old = asStored(mrOf({ sourceDb: 'a' }));
    const before = sink.records.length;
    // By design (issue 12): this used to be a quick ALLOW; an unadmitted spec is now judged in full.
    const relabel = responseOf(
      (
        await postReview(
          gate,
          admissionReview(
            { ...old, metadata: { ...(old.metadata as object), labels: { a: 'b' } } },
            { operation: 'UPDATE', oldObject: old },
          ),
        )
      ).json,
    );
    expect(relabel.allowed).to.equal(false);
    expect(sink.records.length).to.equal(before + 1);
  });

  for (const [label, body, status, why] of [
    ['not JSON', '{"apiVersion": "admission.k8s.io/v1",', 400, 'not JSON'],
    [
      'v1beta1',
      JSON.stringify({
        ...admissionReview(example('good-configmap.yaml')),
        apiVersion: 'admission.k8s.io/v1beta1',
      }),
      400,
      'apiVersion',
    ],
    [
      'no uid',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { ...(admissionReview(example('good-configmap.yaml')).request as object), uid: undefined },
      }),
      400,
      'request.uid',
    ],
    [
      'no request',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
      400,
      'request',
    ],
    [
      'a response instead of a request',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: 'x', allowed: true },
      }),
      400,
      'request',
    ],
  ] as const) {
    it(`malformed review (${label}) -> ${status} problem, audited as BLOCK`, async () => {
      const before = sink.records.length;
      const res = await httpsRequest(gate, { body });
      expect(res.status).to.equal(status);
      expect(res.headers['content-type']).to.contain('application/problem+json');
      expect(res.json.decision).to.equal('BLOCK');
      expect(String(res.json.detail)).to.contain(why);
      expect(sink.records.length).to.equal(before + 1);
      const last = sink.records.at(-1) as unknown as DecisionReport;
      expect(last.decision).to.equal('BLOCK');
      expect(last.reasons[0]).to.match(/^\[malformed-request\] malformed AdmissionReview: /);
      expect(last.request_id).to.equal(res.json.request_id);
    });
  }

  it('refuses a wrong content type (415) and an oversized review (413)', async () => {
    const wrongType = await httpsRequest(gate, {
      body: '<xml/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(wrongType.status).to.equal(415);
    const huge = admissionReview({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big', namespace: 'payments' },
      data: { 'app-config.yaml': 'x'.repeat(7 * 1024 * 1024) },
    });
    const tooBig = await postReview(gate, huge);
    expect(tooBig.status).to.equal(413);
  });

  it('refuses TLS 1.1 and accepts TLS 1.2', async () => {
    let error: unknown;
    try {
      await httpsRequest(gate, { method: 'GET', path: '/healthz', maxVersion: 'TLSv1.1' });
    } catch (e) {
      error = e;
    }
    expect(error, 'a TLS 1.1 handshake must fail').to.be.instanceOf(Error);
    const ok = await httpsRequest(gate, { method: 'GET', path: '/healthz', maxVersion: 'TLSv1.2' });
    expect(ok.status).to.equal(200);
  });

  it('the certificate is for localhost, signed by the local CA (verified by the client above)', async () => {
    let error: unknown;
    try {
      await httpsRequest(gate, {
        method: 'GET',
        path: '/healthz',
        servername: 'not-in-the-cert.example.com',
      });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/altnames|Hostname/i);
  });
});

/** An audit store that never acknowledges: only the gate's own deadline can answer. */
class SlowAuditSink extends MemoryAuditSink {
  override append(): Promise<AuditRecord> {
    return new Promise<AuditRecord>(() => undefined);
  }
}

describe('webhook deadline', () => {
  let gate: WebhookGate;
  before(async () => {
    gate = await startWebhookGate({}, { auditSink: new SlowAuditSink() });
  });
  after(async () => {
    await gate.stop();
  });

  it('answers BLOCK [deadline-exceeded] before a 2s apiserver timeout when the audit store is slow', async () => {
    // The store never answers, so an answer at all is the deadline's; the budget's
    // margin before the apiserver's timeout is admissionBudget's (unit/admission/deadline).
    const res = await postReview(gate, admissionReview(example('good-configmap.yaml')), '?timeout=2s');
    const r = responseOf(res.json);
    expect(r.allowed).to.equal(false);
    expect(r.status!.message.split('\n')[1]).to.match(
      /^\[deadline-exceeded\] migration-gate did not finish in time/,
    );
  });
});
