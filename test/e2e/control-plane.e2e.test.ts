// Smoke test of the e2e harness itself: a real etcd + kube-apiserver, the
// kubectl/helm binaries, RBAC with ServiceAccount tokens, and a url-mode
// admission webhook. If this fails, no gate e2e test can be trusted.
//
//   npx mocha --config test/e2e/.mocharc.json
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { startAdmissionServer, type AdmissionServer } from './harness/admission-server.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { probe } from './harness/wait.js';

const NS = 'e2e-smoke';

const configMap = (name: string, ns = NS) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns },
    data: { 'app-config.yaml': 'a: 1\n' },
  });

describe('e2e control plane (etcd + kube-apiserver)', function () {
  let cp: ControlPlane;

  before(async function () {
    cp = await startControlPlane();
  });

  after(async function () {
    await cp?.stop();
  });

  async function kubectlOk(args: string[], input?: string) {
    const r = await cp.kubectl(args, input === undefined ? {} : { input });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  }

  it('labels new namespaces with kubernetes.io/metadata.name (no controller-manager needed)', async () => {
    await kubectlOk(['create', 'namespace', NS]);
    const label = await kubectlOk([
      'get',
      'namespace',
      NS,
      '-o',
      String.raw`jsonpath={.metadata.labels.kubernetes\.io/metadata\.name}`,
    ]);
    expect(label).to.equal(NS);
  });

  it('creates a ConfigMap as the admin user', async () => {
    await kubectlOk(['apply', '-f', '-'], configMap('plain'));
    const data = await kubectlOk(['get', 'configmap', 'plain', '-n', NS, '-o', 'jsonpath={.data}']);
    expect(JSON.parse(data)).to.deep.equal({ 'app-config.yaml': 'a: 1\n' });
  });

  it('enforces RBAC for a ServiceAccount token kubeconfig', async () => {
    const kc = await cp.mintServiceAccountKubeconfig(NS, 'auditor');
    const whoami = await cp.kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], {
      kubeconfig: kc,
    });
    expect(whoami.stdout).to.equal(`system:serviceaccount:${NS}:auditor`);

    const canDelete = await cp.kubectl(['auth', 'can-i', 'delete', 'configmaps', '-n', NS], {
      kubeconfig: kc,
    });
    expect(canDelete.stdout.trim()).to.equal('no');
    const del = await cp.kubectl(['delete', 'configmap', 'plain', '-n', NS], { kubeconfig: kc });
    expect(del.code).to.not.equal(0);
    expect(del.stderr)
      .to.match(/Forbidden/)
      .and.to.contain('cannot delete resource "configmaps"');

    // ...and a Role grants exactly what it says: get yes, delete still no.
    await kubectlOk(['create', 'role', 'cm-reader', '-n', NS, '--verb=get,list', '--resource=configmaps']);
    await kubectlOk([
      'create',
      'rolebinding',
      'auditor-cm-reader',
      '-n',
      NS,
      '--role=cm-reader',
      `--serviceaccount=${NS}:auditor`,
    ]);
    const get = await cp.kubectl(['get', 'configmap', 'plain', '-n', NS, '-o', 'name'], { kubeconfig: kc });
    expect(get.stdout.trim(), get.stderr).to.equal('configmap/plain');
    expect(
      (
        await cp.kubectl(['auth', 'can-i', 'delete', 'configmaps', '-n', NS], { kubeconfig: kc })
      ).stdout.trim(),
    ).to.equal('no');
  });

  it('runs helm against the cluster', async () => {
    const v = await cp.helm(['version', '--short']);
    expect(v.code, v.stderr).to.equal(0);
    expect(v.stdout).to.match(/^v4\./);
    const ls = await cp.helm(['list', '-A', '-o', 'json']);
    expect(ls.code, ls.stderr).to.equal(0);
    expect(JSON.parse(ls.stdout)).to.deep.equal([]);
  });

  describe('url-mode ValidatingWebhookConfiguration', () => {
    let hook: AdmissionServer;
    const DENIED_NS = 'e2e-webhook';

    before(async () => {
      hook = await startAdmissionServer(cp.dir, (req) =>
        req.kind.kind === 'ConfigMap'
          ? { allowed: false, message: `e2e webhook says no to ${req.namespace}/${req.name}` }
          : { allowed: true },
      );
      await kubectlOk(['create', 'namespace', DENIED_NS]);
      await kubectlOk(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          metadata: { name: 'e2e-deny-configmaps' },
          webhooks: [
            {
              name: 'deny-configmaps.e2e.migrationgate.io',
              clientConfig: { url: hook.url, caBundle: Buffer.from(hook.caPem).toString('base64') },
              rules: [
                {
                  apiGroups: [''],
                  apiVersions: ['v1'],
                  operations: ['CREATE', 'UPDATE'],
                  resources: ['configmaps'],
                },
              ],
              // Same selector style as the gate: namespaces matched by the label
              // the apiserver itself sets.
              namespaceSelector: {
                matchExpressions: [
                  { key: 'kubernetes.io/metadata.name', operator: 'In', values: [DENIED_NS] },
                ],
              },
              failurePolicy: 'Fail',
              sideEffects: 'None',
              admissionReviewVersions: ['v1'],
              timeoutSeconds: 5,
            },
          ],
        }),
      );
    });

    after(async () => {
      await cp.kubectl([
        'delete',
        'validatingwebhookconfiguration',
        'e2e-deny-configmaps',
        '--ignore-not-found',
      ]);
      await hook?.close();
    });

    it('calls the webhook and shows its message to kubectl', async () => {
      // The apiserver picks up new webhook configurations from an informer:
      // allow it a few seconds before the first call.
      let r = await cp.kubectl(['apply', '-f', '-'], { input: configMap('blocked', DENIED_NS) });
      for (let i = 0; r.code === 0 && i < 50; i++) {
        await cp.kubectl(['delete', 'configmap', 'blocked', '-n', DENIED_NS, '--ignore-not-found']);
        await new Promise((res) => setTimeout(res, 200));
        r = await cp.kubectl(['apply', '-f', '-'], { input: configMap('blocked', DENIED_NS) });
      }
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.contain(
        'admission webhook "deny-configmaps.e2e.migrationgate.io" denied the request',
      );
      expect(r.stderr).to.contain(`e2e webhook says no to ${DENIED_NS}/blocked`);
      expect(hook.requests.some((q) => q.name === 'blocked' && q.operation === 'CREATE')).to.equal(true);
    });

    it('leaves namespaces outside the selector alone', async () => {
      await kubectlOk(['apply', '-f', '-'], configMap('allowed'));
      expect(hook.requests.some((q) => q.name === 'allowed')).to.equal(false);
    });
  });

  // A describe of its own: mocha runs a suite's tests before its child suites.
  describe('teardown', () => {
    it('stop() takes both servers down and removes the temp dir', async () => {
      await cp.stop();
      expect((await probe(`${cp.server}/readyz`, { rejectUnauthorized: false })).status).to.equal(0);
      expect(existsSync(cp.dir)).to.equal(false);
    });
  });
});
