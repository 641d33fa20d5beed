// The chart installed with the official helm into a real kube-apiserver in
// url mode (webhook.url + webhook.caBundle: the gate runs outside the
// cluster, here src/main.ts as a local process): what only that install
// shows. helm lint; every rendered object stored with --no-hooks; the CRD
// established; the RBAC the apiserver enforces; and the webhooks pointing at
// the url (per environment and mode) with the given caBundle, which a
// service-mode install never renders. Every examples/k8s case (ConfigMaps and
// MigrationRequests, their artifacts on the chart's artifact volume), dry
// runs and the audit are proven against real pods in pods.e2e.test.ts.
//
//   npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/gate-install.e2e.test.ts
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import {
  CHART_DIR,
  RELEASE,
  RELEASE_NAMESPACE,
  startGateCluster,
  type GateCluster,
  stopClusterAfterSuite,
} from './support/gate-cluster.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string };
  [k: string]: unknown;
}
interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  clientConfig: { url?: string; caBundle?: string; service?: unknown };
  rules: { resources: string[] }[];
}

const WEBHOOK_OF: Record<string, string> = {
  ConfigMap: 'configmaps.migrationgate.io',
  MigrationRequest: 'migrationrequests.migrationgate.io',
};

describe('e2e: helm install in url mode into a real kube-apiserver (the gate outside the cluster)', function () {
  this.timeout(300_000);
  let cl: GateCluster;
  const kubectl = (args: string[], input?: string) =>
    cl.cp.kubectl(args, input === undefined ? {} : { input });
  const getJson = async <T>(args: string[]): Promise<T> => {
    const r = await kubectl([...args, '-o', 'json']);
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return JSON.parse(r.stdout) as T;
  };

  before(async function () {
    cl = await startGateCluster();
  });

  stopClusterAfterSuite(() => cl);

  describe('helm', () => {
    it('helm lint passes', async () => {
      const r = await cl.cp.helm(['lint', CHART_DIR]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout).to.match(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    });

    it('helm install created every object of the release in the apiserver', async () => {
      expect(cl.install.stdout).to.match(/STATUS: deployed/);
      const manifest = await cl.cp.helm(['get', 'manifest', RELEASE, '-n', RELEASE_NAMESPACE]);
      expect(manifest.code, manifest.stderr).to.equal(0);
      const rendered = parseAllDocuments(manifest.stdout)
        .map((d) => d.toJS() as Obj | null)
        .filter((d): d is Obj => d !== null);
      const kinds = rendered.map((d) => d.kind);
      expect(kinds).to.include.members([
        'CustomResourceDefinition',
        'ServiceAccount',
        'Role',
        'RoleBinding',
        'ClusterRole',
        'ClusterRoleBinding',
        'ValidatingWebhookConfiguration',
        'Deployment',
        'Service',
        'ConfigMap',
        'Secret',
      ]);
      // `kubectl get -f` looks every rendered object up in the apiserver.
      const live = await kubectl(['get', '-f', '-', '-o', 'json'], manifest.stdout);
      expect(live.code, live.stderr).to.equal(0);
      const items = (JSON.parse(live.stdout) as { items: Obj[] }).items;
      expect(items.map((o) => `${o.kind}/${o.metadata.name}`).sort()).to.deep.equal(
        rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
      );
      for (const o of items)
        expect(o.metadata.uid, `${o.kind}/${o.metadata.name} is stored`).to.be.a('string');
    });

    it('the CRD is established and serves migrationgate.io/v1alpha1 MigrationRequests', async () => {
      const crd = await getJson<{
        spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
        status: { conditions: { type: string; status: string }[] };
      }>(['get', 'crd', 'migrationrequests.migrationgate.io']);
      expect(crd.spec.group).to.equal('migrationgate.io');
      expect(crd.spec.names.kind).to.equal('MigrationRequest');
      expect(crd.spec.versions.some((v) => v.name === 'v1alpha1' && v.served)).to.equal(true);
      expect(crd.status.conditions.find((c) => c.type === 'Established')?.status).to.equal('True');
      const list = await kubectl(['get', 'migrationrequests', '-A']);
      expect(list.code, list.stderr).to.equal(0);
    });

    it('RBAC: the ServiceAccount is bound to its Role and ClusterRole', async () => {
      await getJson(['get', 'serviceaccount', RELEASE, '-n', RELEASE_NAMESPACE]);
      for (const [kind, ns] of [
        ['rolebinding', RELEASE_NAMESPACE],
        ['clusterrolebinding', undefined],
      ] as const) {
        const b = await getJson<{
          roleRef: { kind: string; name: string };
          subjects: { kind: string; name: string; namespace: string }[];
        }>(['get', kind, RELEASE, ...(ns ? ['-n', ns] : [])]);
        expect(b.roleRef).to.deep.include({
          kind: kind === 'rolebinding' ? 'Role' : 'ClusterRole',
          name: RELEASE,
        });
        expect(b.subjects).to.deep.include({
          kind: 'ServiceAccount',
          name: RELEASE,
          namespace: RELEASE_NAMESPACE,
        });
      }
      const role = await getJson<{ rules: { resources?: string[]; verbs: string[] }[] }>([
        'get',
        'role',
        RELEASE,
        '-n',
        RELEASE_NAMESPACE,
      ]);
      expect(role.rules.some((r) => r.resources?.includes('configmaps'))).to.equal(true);
      const cr = await getJson<{ rules: { resources?: string[] }[] }>(['get', 'clusterrole', RELEASE]);
      // TokenReview is off by default (api.tokenReview), so no `create tokenreviews`.
      expect(cr.rules.flatMap((r) => r.resources ?? []).sort()).to.deep.equal([
        'migrationrequests',
        'validatingwebhookconfigurations',
      ]);
      // The apiserver enforces it: the gate's identity may create ConfigMaps in its namespace, never delete them.
      const sa = `system:serviceaccount:${RELEASE_NAMESPACE}:${RELEASE}`;
      const can = async (verb: string) =>
        (
          await kubectl(['auth', 'can-i', verb, 'configmaps', '-n', RELEASE_NAMESPACE, '--as', sa])
        ).stdout.trim();
      expect(await can('create')).to.equal('yes');
      expect(await can('delete')).to.equal('no');
    });

    it('the ValidatingWebhookConfiguration: two webhooks per environment, failurePolicy Fail, url mode at the local gate with its CA', async () => {
      const vwc = await getJson<{ webhooks: Webhook[] }>(['get', 'validatingwebhookconfiguration', RELEASE]);
      // Per environment, one pair per enforcement mode (enforce keeps the historical names).
      const pair = (prefix: string): string[] => [
        `${prefix}${WEBHOOK_OF.ConfigMap}`,
        `${prefix}${WEBHOOK_OF.MigrationRequest}`,
      ];
      expect(vwc.webhooks.map((w) => w.name)).to.deep.equal(
        ['', 'staging.'].flatMap((env) => ['', 'warn.', 'audit.'].flatMap((m) => pair(`${m}${env}`))),
      );
      for (const w of vwc.webhooks) {
        expect(w.failurePolicy, w.name).to.equal('Fail');
        expect(w.sideEffects, w.name).to.equal('NoneOnDryRun');
        const mode = /^(warn|audit)\./.exec(w.name)?.[1];
        const env = w.name.replace(/^(warn|audit)\./, '').startsWith('staging.') ? 'staging' : 'prod';
        expect(w.clientConfig, w.name).to.deep.equal({
          url: `${cl.gate.webhookUrl}/${env}${mode ? `/${mode}` : ''}`,
          caBundle: cl.gate.caBundle,
        });
      }
    });
  });
});
