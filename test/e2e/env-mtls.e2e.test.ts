// Issue 12 items 2 and 6 against a real kube-apiserver:
// (a) the environment is the namespace's migrationgate.io/env label, through
//     the chart's per-environment webhooks: a manifest saying staging in an
//     unlabelled namespace is denied [env-mismatch]; in a staging namespace
//     the staging warn case is admitted with its warnings;
// (b) mTLS on the webhook port: kube-apiserver runs with an
//     --admission-control-config-file whose ValidatingAdmissionWebhook
//     kubeconfig carries a client certificate from GATE_WEBHOOK_CLIENT_CA;
//     applies are decided (and audited as authenticated), a direct post
//     without a client certificate is refused and nothing is audited.
//
//   npx mocha --config test/e2e/.mocharc.json test/e2e/env-mtls.e2e.test.ts
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createCa, issueCert } from './harness/pki.js';
import { exampleCases, localArtifacts, startGateCluster, type GateCluster } from './support/gate-cluster.js';
import { auditRecords } from './support/local-gate.js';

const K8S = path.resolve('examples/k8s');

describe('e2e: environment by namespace, mTLS between kube-apiserver and the gate', function () {
  let cl: GateCluster;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-e2e-mtls-'));

  before(async () => {
    const ca = await createCa(dir, 'webhook-client-ca');
    const client = await issueCert(dir, ca, {
      name: 'apiserver-webhook-client',
      cn: 'kube-apiserver-webhook-client',
      usage: 'client',
    });
    const kubeconfig = path.join(dir, 'webhook-client.kubeconfig');
    // "*": the client certificate for every webhook host (the gate's port is only known once it runs).
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        users: [{ name: '*', user: { 'client-certificate': client.certPath, 'client-key': client.keyPath } }],
      }),
    );
    const admission = path.join(dir, 'admission.yaml');
    writeFileSync(
      admission,
      JSON.stringify({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'AdmissionConfiguration',
        plugins: [
          {
            name: 'ValidatingAdmissionWebhook',
            configuration: {
              apiVersion: 'apiserver.config.k8s.io/v1',
              kind: 'WebhookAdmissionConfiguration',
              kubeConfigFile: kubeconfig,
            },
          },
        ],
      }),
    );
    cl = await startGateCluster({
      controlPlane: { apiserverArgs: [`--admission-control-config-file=${admission}`] },
      gate: { env: { GATE_WEBHOOK_CLIENT_CA: ca.certPath, GATE_ARTIFACT_ROOT: path.resolve('examples') } },
    });
    const ns = await cl.cp.kubectl(['apply', '-f', path.join(K8S, 'namespace.yaml')]);
    expect(ns.code, ns.stderr).to.equal(0);
  });
  after(async () => {
    await cl?.stop();
  });

  const caseOf = (file: string) => exampleCases().find((c) => c.file === file)!;
  const apply = (text: string, namespace?: string) =>
    cl.cp.kubectl(['apply', ...(namespace ? ['-n', namespace] : []), '-f', '-'], {
      input: localArtifacts(text),
    });

  it('a good prod ConfigMap is admitted through mTLS, audited with caller client-certificate', async () => {
    const c = caseOf('good-configmap.yaml');
    const r = await apply(c.text);
    expect(r.code, r.stderr).to.equal(0);
    const rec = (await auditRecords(cl.gate)).find((i) => i.subject.name === c.name) as unknown as {
      subject: { caller?: unknown };
    };
    expect(rec.subject.caller).to.deep.equal({
      authenticated: true,
      via: 'client-certificate',
      cn: 'kube-apiserver-webhook-client',
    });
  });

  it('a manifest saying env staging in an unlabelled (prod) namespace is denied [env-mismatch]', async () => {
    const c = caseOf('staging-warn-configmap.yaml');
    const r = await apply(
      c.text
        .replace(`namespace: ${c.namespace}\n`, 'namespace: payments\n')
        .replace(`name: ${c.name}\n`, 'name: staging-claim-in-prod\n'),
    );
    expect(r.code, r.stdout).to.not.equal(0);
    expect(r.stderr).to.include('admission webhook "configmaps.migrationgate.io" denied the request');
    expect(r.stderr).to.match(/^\[env-mismatch\] /m);
  });

  it('in the staging namespace the staging warn case is admitted, with its warnings', async () => {
    const c = caseOf('staging-warn-configmap.yaml');
    expect(c.namespace).to.equal('payments-staging');
    const r = await apply(c.text);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^Warning: \[no-inline-secrets\]/m);
  });

  it('a prod manifest in the staging namespace is denied [env-mismatch] by the staging webhook', async () => {
    const c = caseOf('bad-tls-off.yaml');
    const r = await apply(c.text.replace('namespace: payments\n', 'namespace: payments-staging\n'));
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('admission webhook "staging.configmaps.migrationgate.io" denied the request');
    expect(r.stderr).to.match(/^\[env-mismatch\] /m);
  });

  it('a direct post to the webhook port without a client certificate is refused, and nothing is audited', async () => {
    const before = (await auditRecords(cl.gate)).length;
    const review = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'forged', userInfo: { username: 'system:admin' } },
    });
    const outcome = await new Promise<string>((resolve) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: cl.gate.webhookPort,
          method: 'POST',
          path: '/validate/prod',
          ca: cl.gate.caPem,
          servername: 'localhost',
          agent: false,
          headers: { 'content-type': 'application/json' },
        },
        (res) => resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (e: NodeJS.ErrnoException) => resolve(`refused ${e.code ?? e.message}`));
      req.end(review);
    });
    expect(outcome).to.match(/^refused /);
    expect((await auditRecords(cl.gate)).length).to.equal(before);
    expect(readFileSync(cl.gate.logPath, 'utf8')).to.not.include('forged');
  });
});
