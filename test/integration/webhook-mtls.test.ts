// Issue 12 item 6: GATE_WEBHOOK_CLIENT_CA turns on mutual TLS on the webhook
// port. Without a certificate from that CA the handshake fails: nothing is
// evaluated, nothing audited. Every audit record says whether the caller
// was authenticated, with mTLS on or off. Certificates from the openssl CLI
// (test/e2e/harness/pki.ts, the same the e2e control plane uses).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCa, issueCert, type CertFiles } from '../e2e/harness/pki.js';
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import { admissionReview } from '../support/admission-review.js';
import { MemoryAuditSink } from '../support/memory-audit-sink.js';
import { httpsRequest, postReview, startWebhookGate, type WebhookGate } from '../support/webhook-harness.js';
import { postJson } from '../support/gate-harness.js';
import { k8sExample as example } from '../support/k8s-examples.js';

const review = (): string => JSON.stringify(admissionReview(example('good-configmap.yaml')));

describe('webhook mTLS (GATE_WEBHOOK_CLIENT_CA)', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-mtls-'));
  let apiserver: CertFiles;
  let stranger: CertFiles;
  let caPath: string;
  let gate: WebhookGate;
  let sink: MemoryAuditSink;

  before(async () => {
    const ca = await createCa(dir, 'webhook-client-ca');
    caPath = ca.certPath;
    apiserver = await issueCert(dir, ca, { name: 'apiserver', cn: 'kube-apiserver', usage: 'client' });
    const otherCa = await createCa(dir, 'other-ca');
    stranger = await issueCert(dir, otherCa, { name: 'stranger', cn: 'kube-apiserver', usage: 'client' });
    sink = new MemoryAuditSink();
    gate = await startWebhookGate({ GATE_WEBHOOK_CLIENT_CA: caPath }, { auditSink: sink });
  });
  after(async () => {
    await gate?.stop();
  });

  const refused = async (call: Parameters<typeof httpsRequest>[1]): Promise<void> => {
    const before = sink.records.length;
    let error: unknown;
    try {
      const res = await httpsRequest(gate, call);
      error = new Error(`answered ${res.status}: ${res.text.slice(0, 200)}`);
      expect.fail(`expected the handshake to fail, got HTTP ${res.status}`);
    } catch (e) {
      if (error) throw error;
      expect(String((e as NodeJS.ErrnoException).code ?? e)).to.match(
        /ECONNRESET|ERR_SSL|EPIPE|certificate required|alert/i,
      );
    }
    expect(sink.records.length, 'nothing audited').to.equal(before);
  };

  it('a client without a certificate is refused in the handshake; nothing is audited', async () => {
    await refused({ path: '/validate/prod?timeout=10s', body: review() });
  });

  it('a certificate from another CA (same CN) is refused; nothing is audited', async () => {
    await refused({
      path: '/validate/prod?timeout=10s',
      body: review(),
      cert: stranger.certPem,
      key: stranger.keyPem,
    });
  });

  it('/healthz on the webhook port needs the certificate too (kubelet probes use the api port)', async () => {
    await refused({ method: 'GET', path: '/healthz' });
    const health = await fetch(`${gate.apiUrl}/healthz`);
    expect(health.status).to.equal(200);
  });

  it('the apiserver certificate is decided, and the record says who: client-certificate, its CN', async () => {
    const res = await httpsRequest(gate, {
      path: '/validate/prod?timeout=10s',
      body: review(),
      cert: apiserver.certPem,
      key: apiserver.keyPem,
    });
    expect(res.status).to.equal(200);
    expect((res.json.response as { allowed: boolean }).allowed).to.equal(true);
    expect((sink.records.at(-1) as AuditRecord).subject.caller).to.deep.equal({
      authenticated: true,
      via: 'client-certificate',
      cn: 'kube-apiserver',
    });
  });

  it('REST records say the caller was authenticated by bearer token', async () => {
    await postJson({ url: gate.apiUrl, auth: gate.auth } as never, '/api/v1/validate/migration', {
      manifest: JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')),
      config: readFileSync('examples/t1_good/app-config.yaml', 'utf8'),
    });
    expect((sink.records.at(-1) as AuditRecord).subject.caller).to.deep.equal({
      authenticated: true,
      via: 'bearer-token',
    });
  });

  it('without mTLS the record says the caller was not authenticated (userInfo is only a claim)', async () => {
    const plainSink = new MemoryAuditSink();
    const plain = await startWebhookGate({}, { auditSink: plainSink });
    try {
      const res = await postReview(plain, JSON.parse(review()), '?timeout=10s', '/validate/prod');
      expect(res.status).to.equal(200);
      expect((plainSink.records.at(-1) as AuditRecord).subject.caller).to.deep.equal({
        authenticated: false,
        via: 'none',
      });
      expect((plainSink.records.at(-1) as AuditRecord).subject.user).to.be.a('string');
    } finally {
      await plain.stop();
    }
  });

  it('a GATE_WEBHOOK_CLIENT_CA that is missing or holds no certificate stops the start, naming the setting', async () => {
    const junk = path.join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    for (const file of [junk, path.join(dir, 'missing.pem')]) {
      let message = '';
      try {
        const g = await startWebhookGate({ GATE_WEBHOOK_CLIENT_CA: file });
        await g.stop();
      } catch (e) {
        message = e instanceof Error ? e.message : String(e);
      }
      expect(message).to.match(/^GATE_WEBHOOK_CLIENT_CA: /);
    }
  });
});
