// selfManaged TLS against a real kube-apiserver: two gate replicas (in this
// process, url-mode webhooks on 127.0.0.1) authenticated as a ServiceAccount
// with exactly the chart's RBAC for TLS (secrets create + get/update on its
// own Secret, leases create + get/update on its own Lease, get + patch on its
// own ValidatingWebhookConfiguration). The leader creates the Secret and
// injects the CA into both webhooks; then a CA rotation is forced (the
// rotate-ca annotation) while ConfigMaps are created in a loop, and not one
// admission may fail while the bundle grows, the serving cert moves to the
// new CA on both replicas (hot reload, no restart) and the old CA is dropped.
//
//   npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/tls-self-managed.e2e.test.ts
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { getJson, startGate, type RunningGate } from '../support/gate-harness.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { freePort } from './harness/ports.js';

const GATE_NS = 'e2e-tls-gate';
const TARGET_NS = 'e2e-tls-target';
const SA = 'migration-gate';
const SECRET = 'migration-gate-tls';
const LEASE = 'migration-gate-leader';
const VWC = 'migration-gate-e2e-tls';
const ENFORCED = 'migrationgate.io/e2e-tls';

const rbac = () => [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'gate-tls', namespace: GATE_NS },
    rules: [
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [SECRET], verbs: ['get', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: [LEASE],
        verbs: ['get', 'update'],
      },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'gate-tls', namespace: GATE_NS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gate-tls' },
    subjects: [{ kind: 'ServiceAccount', name: SA, namespace: GATE_NS }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'gate-tls-webhook' },
    rules: [
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['validatingwebhookconfigurations'],
        resourceNames: [VWC],
        verbs: ['get', 'patch'],
      },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'gate-tls-webhook' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'gate-tls-webhook' },
    subjects: [{ kind: 'ServiceAccount', name: SA, namespace: GATE_NS }],
  },
];

/** One webhook per replica, both on ConfigMaps of the enforced namespace, both failurePolicy Fail, no CA yet. */
const webhookConfig = (ports: number[]) => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: VWC },
  webhooks: ports.map((port, i) => ({
    name: `replica-${i}.configmaps.migrationgate.io`,
    clientConfig: { url: `https://127.0.0.1:${port}/validate` },
    rules: [
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] },
    ],
    namespaceSelector: { matchLabels: { [ENFORCED]: 'enforced' } },
    failurePolicy: 'Fail',
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    timeoutSeconds: 10,
  })),
});

interface SecretJson {
  data: Record<string, string>;
  metadata: { annotations?: Record<string, string> };
}
interface VwcJson {
  webhooks: { clientConfig: { caBundle?: string } }[];
}

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const pems = (bundle: string) =>
  bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** The certificate a listener presents right now (what a new connection from the apiserver sees). */
function presentedCert(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const raw = s.getPeerCertificate().raw;
      s.end();
      resolve(new X509Certificate(raw).toString());
    });
    s.on('error', reject);
  });
}

describe('selfManaged TLS against a real kube-apiserver', function () {
  let cp: ControlPlane;
  const gates: RunningGate[] = [];
  const ports: number[] = [];

  async function kubectlOk(args: string[], input?: string): Promise<string> {
    const r = await cp.kubectl(args, input === undefined ? {} : { input });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  }
  const secret = async () =>
    JSON.parse(await kubectlOk(['get', 'secret', SECRET, '-n', GATE_NS, '-o', 'json'])) as SecretJson;
  const bundles = async () =>
    (
      JSON.parse(await kubectlOk(['get', 'validatingwebhookconfiguration', VWC, '-o', 'json'])) as VwcJson
    ).webhooks.map((w) => b64(w.clientConfig.caBundle ?? ''));
  const configMap = (name: string, data: Record<string, string> = { 'note.txt': 'no gated keys\n' }) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: TARGET_NS },
      data,
    });
  async function waitUntil(what: string, f: () => Promise<boolean>, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await f())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  before(async function () {
    cp = await startControlPlane();
    await kubectlOk(['create', 'namespace', GATE_NS]);
    await kubectlOk(['create', 'namespace', TARGET_NS]);
    await kubectlOk(['label', 'namespace', TARGET_NS, `${ENFORCED}=enforced`]);
    await kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac() }));
    const kubeconfig = await cp.mintServiceAccountKubeconfig(GATE_NS, SA);
    ports.push(await freePort(), await freePort());
    await kubectlOk(['apply', '-f', '-'], JSON.stringify(webhookConfig(ports)));
    for (const [i, port] of ports.entries()) {
      gates.push(
        await startGate(
          {
            GATE_TLS_MODE: 'selfManaged',
            GATE_KUBECONFIG: kubeconfig,
            GATE_NAMESPACE: GATE_NS,
            GATE_TLS_SANS: '127.0.0.1',
            GATE_WEBHOOK_PORT: String(port),
            GATE_TLS_SECRET_NAME: SECRET,
            GATE_LEASE_NAME: LEASE,
            GATE_WEBHOOK_CONFIG_NAME: VWC,
          },
          {
            writerId: `gate-pod-${i}`,
            // Seconds instead of minutes; the order of the steps is what is under test.
            tlsTimings: {
              renewIntervalMs: 500,
              pollIntervalMs: 1_000,
              overlapMs: 3_000,
              dropPreviousAfterMs: 5_000,
            },
          },
        ),
      );
    }
  });

  after(async () => {
    for (const g of gates.splice(0)) await g.stop();
    await cp?.stop();
  });

  it('the leader creates the Secret and injects its CA into every webhook; both replicas become ready', async () => {
    const s = await secret();
    for (const k of ['tls.crt', 'tls.key', 'ca.crt']) expect(s.data, k).to.have.property(k);
    const ca = b64(s.data['ca.crt']!);
    const serving = new X509Certificate(b64(s.data['tls.crt']!));
    expect(serving.subjectAltName)
      .to.contain(`DNS:migration-gate.${GATE_NS}.svc`)
      .and.contain('IP Address:127.0.0.1');
    expect(serving.verify(new X509Certificate(ca).publicKey)).to.equal(true);
    await waitUntil('both webhooks carry the CA', async () =>
      (await bundles()).every((b) => b.trim() === ca.trim()),
    );
    const lease = JSON.parse(await kubectlOk(['get', 'lease', LEASE, '-n', GATE_NS, '-o', 'json'])) as {
      spec: { holderIdentity: string };
    };
    expect(lease.spec.holderIdentity).to.match(/^gate-pod-[01]$/);
    for (const g of gates) {
      await waitUntil('replica ready', async () => (await getJson(g, '/readyz', {})).status === 200);
    }
    for (const port of ports) expect(await presentedCert(port)).to.equal(serving.toString());
  });

  it('the apiserver trusts the gate: a plain ConfigMap is admitted, a gated key without a manifest is denied by the gate', async () => {
    await kubectlOk(['apply', '-f', '-'], configMap('plain'));
    const bad = await cp.kubectl(['apply', '-f', '-'], {
      input: configMap('no-manifest', { 'app-config.yaml': 'debug: true\n' }),
    });
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr).to.contain('migration-gate BLOCKED');
  });

  it('a forced CA rotation under a stream of applies: no admission fails; bundle, Secret and served certs move to the new CA', async function () {
    const before = await secret();
    const oldCa = b64(before.data['ca.crt']!);
    const oldServing = b64(before.data['tls.crt']!);
    const failures: string[] = [];
    let applies = 0;
    let rotationDone = false;
    const stream = (async () => {
      // Keep admitting until the rotation is over, and at least 30 times.
      while (!rotationDone || applies < 30) {
        const n = applies++;
        const r = await cp.kubectl(['create', '-f', '-'], { input: configMap(`during-rotation-${n}`) });
        if (r.code !== 0) failures.push(`#${n}: ${r.stderr.trim()}`);
      }
    })();

    try {
      await kubectlOk(['annotate', 'secret', SECRET, '-n', GATE_NS, 'migrationgate.io/rotate-ca=now']);
      // (1) old + new CA in every webhook, serving cert unchanged.
      await waitUntil('old+new bundle', async () => {
        const b = await bundles();
        return b.every((x) => pems(x).length === 2);
      });
      const staged = await secret();
      expect(b64(staged.data['ca-previous.crt']!).trim()).to.equal(oldCa.trim());
      expect(staged.metadata.annotations?.['migrationgate.io/rotate-ca'], 'request consumed').to.equal(
        undefined,
      );
      const newCa = b64(staged.data['ca.crt']!);
      expect(newCa).to.not.equal(oldCa);
      // (3) serving cert signed by the new CA, picked up by both replicas without a restart.
      await waitUntil(
        'serving cert switched',
        async () => b64((await secret()).data['tls.crt']!) !== oldServing,
      );
      const newServing = new X509Certificate(b64((await secret()).data['tls.crt']!));
      expect(newServing.verify(new X509Certificate(newCa).publicKey)).to.equal(true);
      for (const port of ports) {
        await waitUntil(
          `replica on ${port} serves the new cert`,
          async () => (await presentedCert(port)) === newServing.toString(),
        );
      }
      // (4) the old CA leaves the bundle.
      await waitUntil(
        'old CA dropped',
        async () => (await bundles()).every((x) => pems(x).length === 1 && x.trim() === newCa.trim()),
        90_000,
      );
      expect((await secret()).data).to.not.have.property('ca-previous.crt');
    } catch (e) {
      // Say whether admissions failed too: that is the point of the test.
      throw new Error(
        `${e instanceof Error ? e.message : String(e)}; failed admissions so far: ${failures.length}\n${failures.slice(0, 3).join('\n')}`,
        { cause: e },
      );
    } finally {
      rotationDone = true;
      await stream;
    }

    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(applies).to.be.at.least(30);
    const created = JSON.parse(await kubectlOk(['get', 'configmaps', '-n', TARGET_NS, '-o', 'json'])) as {
      items: { metadata: { name: string } }[];
    };
    expect(created.items.filter((c) => c.metadata.name.startsWith('during-rotation-'))).to.have.length(
      applies,
    );
    // And admission still goes through the gate with the new CA only.
    const bad = await cp.kubectl(['apply', '-f', '-'], {
      input: configMap('no-manifest-after', { 'app-config.yaml': 'debug: true\n' }),
    });
    expect(bad.stderr).to.contain('migration-gate BLOCKED');
    // The expiry metric follows the reloaded cert on every replica.
    const newNotAfter =
      Date.parse(new X509Certificate(b64((await secret()).data['tls.crt']!)).validTo) / 1000;
    for (const g of gates) {
      const text = await (await fetch(`${g.url}/metrics`)).text();
      const m = /^migration_gate_tls_cert_expiry_timestamp_seconds (\S+)$/m.exec(text);
      expect(Number(m?.[1])).to.equal(newNotAfter);
    }
  });

  it('the leader hands over on shutdown, and the new leader re-injects a caBundle that was wiped (as a helm upgrade would)', async () => {
    const holder = async () =>
      (
        JSON.parse(await kubectlOk(['get', 'lease', LEASE, '-n', GATE_NS, '-o', 'json'])) as {
          spec: { holderIdentity?: string };
        }
      ).spec.holderIdentity;
    const leaderIndex = Number((await holder())!.slice('gate-pod-'.length));
    await gates.splice(leaderIndex, 1)[0]!.stop();
    await waitUntil(
      'the other replica holds the lease',
      async () => (await holder()) === `gate-pod-${1 - leaderIndex}`,
      30_000,
    );
    const ca = b64((await secret()).data['ca.crt']!);
    await kubectlOk([
      'patch',
      'validatingwebhookconfiguration',
      VWC,
      '--type=json',
      '-p',
      JSON.stringify([0, 1].map((i) => ({ op: 'remove', path: `/webhooks/${i}/clientConfig/caBundle` }))),
    ]);
    await waitUntil(
      'caBundle restored',
      async () => (await bundles()).every((b) => b.trim() === ca.trim()),
      30_000,
    );
  });
});
