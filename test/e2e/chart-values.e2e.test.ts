// The chart values a platform team expects (issue 14, item 5), rendered by
// the cached official helm: ServiceAccount and RBAC ownership, extra volumes,
// probe timings, webhook objectSelector/matchConditions, a
// PodDisruptionBudget that never blocks a drain, artifact storage for
// MigrationRequests, NetworkPolicy egress to the API server's real endpoints
// (looked up in a real kube-apiserver with `helm template --dry-run=server`)
// and a PrometheusRule that alerts on real trouble and never on a BLOCK
// (evaluated by the real promtool on synthetic series).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { CHART_DIR, NAMESPACE, RELEASE, findHelm, runHelm } from '../../scripts/render-deploy.js';
import { loadConfig } from '../../src/config/load.js';
import { startGate } from '../support/gate-harness.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}
interface Probe {
  httpGet?: { path: string; port: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { readOnlyRootFilesystem?: boolean };
}
interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  configMap?: { name: string };
  nfs?: object;
  emptyDir?: object;
}
interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  volumes?: Volume[];
}
interface Deployment extends K8sObject {
  spec: { template: { spec: PodSpec } };
}
interface Webhook {
  name: string;
  objectSelector?: object;
  matchConditions?: object[];
}
interface NetPolRule {
  to?: { ipBlock?: { cidr: string }; namespaceSelector?: object }[];
  ports: { port: number; protocol: string }[];
}
interface RuleGroup {
  name: string;
  rules: {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];
}

function parseDocs(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new Error(`invalid YAML in rendered output: ${doc.errors[0]?.message ?? ''}`);
    const v: unknown = doc.toJS();
    if (v !== null && v !== undefined) out.push(v as K8sObject);
  }
  return out;
}

const byKind = <T extends K8sObject>(docs: K8sObject[], kind: string): T[] =>
  docs.filter((d) => d.kind === kind) as T[];
function one<T extends K8sObject>(docs: K8sObject[], kind: string): T {
  const found = byKind<T>(docs, kind);
  expect(found, `exactly one ${kind}`).to.have.length(1);
  return found[0]!;
}
const gateDeployment = (docs: K8sObject[]): Deployment =>
  byKind<Deployment>(docs, 'Deployment').find((d) => d.metadata.name === RELEASE)!;
const gateContainer = (docs: K8sObject[]): Container =>
  gateDeployment(docs).spec.template.spec.containers[0]!;
const env = (docs: K8sObject[]): Map<string, string | undefined> =>
  new Map((gateContainer(docs).env ?? []).map((e) => [e.name, e.value]));
const apiServerRule = (docs: K8sObject[]): NetPolRule => {
  const rules = one<K8sObject & { spec: { egress: NetPolRule[] } }>(docs, 'NetworkPolicy').spec.egress;
  const api = rules.filter((r) => r.to?.some((t) => t.ipBlock));
  expect(api, 'one ipBlock egress rule (the API server)').to.have.length(1);
  return api[0]!;
};

describe('Helm chart values for platform teams', function () {
  this.timeout(180_000);
  let helm = '';
  const template = (args: string[] = []) =>
    runHelm(helm, ['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...args]);
  const render = async (args: string[] = []): Promise<K8sObject[]> => {
    const r = await template(args);
    expect(r.code, `helm template ${args.join(' ')} failed:\n${r.stderr}`).to.equal(0);
    return parseDocs(r.stdout);
  };
  const refused = async (args: string[], message: RegExp): Promise<void> => {
    const r = await template(args);
    expect(r.code, `helm template ${args.join(' ')} should fail`).not.to.equal(0);
    expect(r.stderr).to.match(message);
  };
  let defaults: K8sObject[] = [];

  before(async () => {
    helm = findHelm();
    defaults = await render();
  });

  describe('serviceAccount and rbac', () => {
    it('create=false uses an existing ServiceAccount by name (bound by the RBAC), and requires the name', async () => {
      const docs = await render([
        '--set',
        'serviceAccount.create=false',
        '--set',
        'serviceAccount.name=platform-gate',
      ]);
      expect(byKind(docs, 'ServiceAccount').map((s) => s.metadata.name)).to.not.include('platform-gate');
      expect(
        byKind(docs, 'ServiceAccount').filter((s) => !s.metadata.annotations?.['helm.sh/hook']),
      ).to.deep.equal([]);
      expect(gateDeployment(docs).spec.template.spec.serviceAccountName).to.equal('platform-gate');
      for (const b of [
        ...byKind<K8sObject & { subjects: { name: string }[] }>(docs, 'RoleBinding'),
        ...byKind<K8sObject & { subjects: { name: string }[] }>(docs, 'ClusterRoleBinding'),
      ].filter((x) => !x.metadata.annotations?.['helm.sh/hook'])) {
        expect(
          b.subjects.map((s) => s.name),
          b.metadata.name,
        ).to.deep.equal(['platform-gate']);
      }
      await refused(['--set', 'serviceAccount.create=false'], /serviceAccount|name/);
    });

    it('create=true with a name renders that ServiceAccount; the default is <fullname>', async () => {
      expect(
        byKind(defaults, 'ServiceAccount')
          .filter((x) => !x.metadata.annotations?.['helm.sh/hook'])
          .map((x) => x.metadata.name),
      ).to.deep.equal([RELEASE]);
      expect(gateDeployment(defaults).spec.template.spec.serviceAccountName).to.equal(RELEASE);
      const docs = await render(['--set', 'serviceAccount.name=gate-sa']);
      expect(
        byKind(docs, 'ServiceAccount')
          .filter((s) => !s.metadata.annotations?.['helm.sh/hook'])
          .map((s) => s.metadata.name),
      ).to.deep.equal(['gate-sa']);
      expect(gateDeployment(docs).spec.template.spec.serviceAccountName).to.equal('gate-sa');
    });

    it("rbac.create=false renders none of the gate's Roles or bindings (the hook keeps its own narrow one)", async () => {
      const rbacKinds = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'];
      const docs = await render(['--set', 'rbac.create=false']);
      const left = docs.filter((d) => rbacKinds.includes(d.kind));
      expect(
        left
          .filter((d) => !d.metadata.annotations?.['helm.sh/hook'])
          .map((d) => `${d.kind}/${d.metadata.name}`),
      ).to.deep.equal([]);
      expect(
        defaults.filter((d) => rbacKinds.includes(d.kind) && !d.metadata.annotations?.['helm.sh/hook']),
      ).to.have.length(4);
      // helm 3 names the setting rbac.create, helm 4 the path /rbac/create.
      await refused(['--set', 'rbac.create=maybe'], /rbac[./]create/);
    });
  });

  describe('pods', () => {
    it('extraVolumes / extraVolumeMounts reach the gate pod; the root filesystem stays read-only', async () => {
      const docs = await render([
        '--set-json',
        'extraVolumes=[{"name":"corp-ca","configMap":{"name":"corp-ca"}}]',
        '--set-json',
        'extraVolumeMounts=[{"name":"corp-ca","mountPath":"/etc/corp-ca","readOnly":true}]',
      ]);
      const spec = gateDeployment(docs).spec.template.spec;
      expect(spec.volumes?.find((v) => v.name === 'corp-ca')?.configMap).to.deep.equal({ name: 'corp-ca' });
      expect(spec.containers[0]!.volumeMounts?.find((m) => m.name === 'corp-ca')).to.deep.equal({
        name: 'corp-ca',
        mountPath: '/etc/corp-ca',
        readOnly: true,
      });
      expect(spec.containers[0]!.securityContext?.readOnlyRootFilesystem).to.equal(true);
      await refused(['--set-json', 'extraVolumeMounts=[{"name":"x"}]'], /mountPath/);
    });

    it("probe timings are values; the paths and port stay the gate's; a startup probe only when enabled", async () => {
      const c0 = gateContainer(defaults);
      expect(c0.livenessProbe).to.deep.include({
        initialDelaySeconds: 5,
        periodSeconds: 10,
        timeoutSeconds: 3,
        failureThreshold: 3,
      });
      expect(c0.readinessProbe).to.deep.include({ periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 2 });
      expect(c0.startupProbe).to.equal(undefined);
      const docs = await render([
        '--set',
        'livenessProbe.periodSeconds=30',
        '--set',
        'readinessProbe.failureThreshold=6',
        '--set',
        'startupProbe.enabled=true',
        '--set',
        'startupProbe.failureThreshold=60',
      ]);
      const c = gateContainer(docs);
      expect(c.livenessProbe).to.deep.include({
        periodSeconds: 30,
        httpGet: { path: '/healthz', port: 'api', scheme: 'HTTP' },
      });
      expect(c.readinessProbe).to.deep.include({
        failureThreshold: 6,
        httpGet: { path: '/readyz', port: 'api', scheme: 'HTTP' },
      });
      expect(c.startupProbe).to.deep.equal({
        httpGet: { path: '/healthz', port: 'api', scheme: 'HTTP' },
        periodSeconds: 5,
        timeoutSeconds: 3,
        failureThreshold: 60,
      });
      await refused(
        ['--set', 'livenessProbe.httpGet.path=/'],
        /additional propert(y|ies) '?httpGet'? (is )?not allowed/i,
      );
      await refused(['--set', 'readinessProbe.periodSeconds=0'], /periodSeconds/);
    });
  });

  describe('webhook objectSelector and matchConditions', () => {
    const webhooks = (docs: K8sObject[]): Webhook[] =>
      one<K8sObject & { webhooks: Webhook[] }>(docs, 'ValidatingWebhookConfiguration').webhooks;

    it('are absent by default and, when set, on every webhook', async () => {
      for (const w of webhooks(defaults))
        expect([w.objectSelector, w.matchConditions], w.name).to.deep.equal([undefined, undefined]);
      const selector = { matchExpressions: [{ key: 'migrationgate.io/skip', operator: 'DoesNotExist' }] };
      const conditions = [
        { name: 'not-node-users', expression: "!request.userInfo.username.startsWith('system:node:')" },
      ];
      const docs = await render([
        '--set-json',
        `webhook.objectSelector=${JSON.stringify(selector)}`,
        '--set-json',
        `webhook.matchConditions=${JSON.stringify(conditions)}`,
      ]);
      const all = webhooks(docs);
      // Every webhook the chart renders (environments x enforcement modes x kinds).
      expect(all).to.have.length(webhooks(defaults).length);
      expect(all.length).to.be.greaterThanOrEqual(4);
      for (const w of all)
        expect([w.objectSelector, w.matchConditions], w.name).to.deep.equal([selector, conditions]);
    });

    it('matchConditions are refused below Kubernetes 1.30 and need a name and an expression', async () => {
      const c = '[{"name":"a","expression":"true"}]';
      await refused(
        ['--kube-version', '1.29.0', '--set-json', `webhook.matchConditions=${c}`],
        /matchConditions need Kubernetes 1\.30/,
      );
      expect(
        webhooks(await render(['--kube-version', '1.30.0', '--set-json', `webhook.matchConditions=${c}`]))[0]!
          .matchConditions,
      ).to.have.length(1);
      await refused(['--set-json', 'webhook.matchConditions=[{"name":"a"}]'], /expression/);
      await refused(['--set-json', 'webhook.objectSelector={"matchLabel":{"a":"b"}}'], /matchLabel/);
    });
  });

  describe('PodDisruptionBudget', () => {
    const pdb = async (args: string[]) =>
      one<K8sObject & { spec: Record<string, unknown> }>(await render(args), 'PodDisruptionBudget').spec;

    it('with one replica it lets the drain evict it (maxUnavailable 1), never minAvailable 1', async () => {
      const spec = await pdb(['--set', 'replicaCount=1']);
      expect(spec.maxUnavailable).to.equal(1);
      expect(spec).not.to.have.property('minAvailable');
      expect((await pdb([])).minAvailable).to.equal(1);
      expect(
        (await pdb(['--set', 'replicaCount=3', '--set', 'podDisruptionBudget.minAvailable=2'])).minAvailable,
      ).to.equal(2);
    });

    it('refuses any budget that would block every drain', async () => {
      await refused(
        ['--set', 'podDisruptionBudget.minAvailable=2'],
        /minAvailable=2 with replicaCount=2 would block every node drain/,
      );
      await refused(['--set', 'podDisruptionBudget.minAvailable=100%'], /100% would block every node drain/);
      await refused(
        ['--set', 'podDisruptionBudget.minAvailable=null', '--set', 'podDisruptionBudget.maxUnavailable=0'],
        /maxUnavailable=0 would block/,
      );
      expect(
        (
          await pdb([
            '--set',
            'podDisruptionBudget.minAvailable=null',
            '--set',
            'podDisruptionBudget.maxUnavailable=1',
          ])
        ).maxUnavailable,
      ).to.equal(1);
    });
  });

  describe('shutdown drain', () => {
    const podSpec = (docs: K8sObject[]) =>
      one<K8sObject & { spec: { template: { spec: { terminationGracePeriodSeconds: number } } } }>(
        docs,
        'Deployment',
      ).spec.template.spec;

    it('drains 5 s by default inside a 30 s grace period; both are values', async () => {
      expect(env(defaults).get('GATE_SHUTDOWN_DRAIN_SECONDS')).to.equal('5');
      expect(podSpec(defaults).terminationGracePeriodSeconds).to.equal(30);
      const set = await render([
        '--set',
        'shutdownDrainSeconds=20',
        '--set',
        'terminationGracePeriodSeconds=45',
      ]);
      expect(env(set).get('GATE_SHUTDOWN_DRAIN_SECONDS')).to.equal('20');
      expect(podSpec(set).terminationGracePeriodSeconds).to.equal(45);
    });

    it('refuses a grace period that leaves under 10 s after the drain, and a drain past 120 s', async () => {
      await refused(
        ['--set', 'terminationGracePeriodSeconds=15'],
        /terminationGracePeriodSeconds \(15\) must exceed shutdownDrainSeconds \(5\) by more than 10 s/,
      );
      await refused(
        ['--set', 'shutdownDrainSeconds=121', '--set', 'terminationGracePeriodSeconds=300'],
        /shutdownDrainSeconds/,
      );
    });
  });

  describe('artifact storage for MigrationRequests', () => {
    it('by default: no artifact root, no artifacts volume (file:// artifacts are refused by the gate)', () => {
      expect(env(defaults).has('GATE_ARTIFACT_ROOT')).to.equal(false);
      expect(
        gateDeployment(defaults).spec.template.spec.volumes?.some((v) => v.name === 'artifacts'),
      ).to.equal(false);
      expect(byKind(defaults, 'PersistentVolumeClaim')).to.deep.equal([]);
    });

    for (const [label, args, check] of [
      [
        'an existing PVC',
        ['--set', 'artifacts.existingClaim=migration-artifacts'],
        (v: Volume) =>
          expect(v.persistentVolumeClaim).to.deep.equal({ claimName: 'migration-artifacts', readOnly: true }),
      ],
      [
        'a chart-made PVC',
        ['--set', 'artifacts.persistence.enabled=true'],
        (v: Volume) =>
          expect(v.persistentVolumeClaim).to.deep.equal({
            claimName: `${RELEASE}-artifacts`,
            readOnly: true,
          }),
      ],
      [
        'any volume source',
        ['--set-json', 'artifacts.volume={"nfs":{"server":"nfs.example","path":"/exports/artifacts"}}'],
        (v: Volume) => expect(v.nfs).to.deep.equal({ server: 'nfs.example', path: '/exports/artifacts' }),
      ],
    ] as const) {
      it(`${label} is mounted read-only at the artifact root (GATE_ARTIFACT_ROOT)`, async () => {
        const docs = await render([...args, '--set', 'artifacts.mountPath=/srv/artifacts']);
        expect(env(docs).get('GATE_ARTIFACT_ROOT')).to.equal('/srv/artifacts');
        const mount = gateContainer(docs).volumeMounts?.find((m) => m.name === 'artifacts');
        expect(mount).to.deep.equal({ name: 'artifacts', mountPath: '/srv/artifacts', readOnly: true });
        check(gateDeployment(docs).spec.template.spec.volumes!.find((v) => v.name === 'artifacts')!);
      });
    }

    it('the chart-made PVC has the configured size, class and access modes, and is kept on uninstall', async () => {
      const docs = await render([
        '--set',
        'artifacts.persistence.enabled=true',
        '--set',
        'artifacts.persistence.size=50Gi',
        '--set',
        'artifacts.persistence.storageClassName=nfs-client',
      ]);
      const pvc = one<
        K8sObject & {
          spec: {
            accessModes: string[];
            storageClassName?: string;
            resources: { requests: { storage: string } };
          };
        }
      >(docs, 'PersistentVolumeClaim');
      expect(pvc.metadata.annotations?.['helm.sh/resource-policy']).to.equal('keep');
      expect([
        pvc.spec.accessModes,
        pvc.spec.storageClassName,
        pvc.spec.resources.requests.storage,
      ]).to.deep.equal([['ReadWriteMany'], 'nfs-client', '50Gi']);
      const none = one<K8sObject & { spec: { storageClassName?: string } }>(
        await render([
          '--set',
          'artifacts.persistence.enabled=true',
          '--set',
          'artifacts.persistence.storageClassName=-',
        ]),
        'PersistentVolumeClaim',
      );
      expect(none.spec.storageClassName).to.equal('');
    });

    it('allowed hosts and the artifact CA reach the gate, which accepts the rendered settings', async () => {
      const docs = await render([
        '--set',
        'artifacts.existingClaim=a',
        '--set-json',
        'artifacts.hosts=["artifacts.example:8443","mirror.example"]',
        '--set',
        'artifacts.ca.configMap=artifact-ca',
        '--set',
        'artifacts.timeoutSeconds=120',
      ]);
      const e = env(docs);
      expect([
        e.get('GATE_ARTIFACT_HOSTS'),
        e.get('GATE_ARTIFACT_CA_FILE'),
        e.get('GATE_ARTIFACT_TIMEOUT_SECONDS'),
      ]).to.deep.equal([
        'artifacts.example:8443,mirror.example',
        '/etc/migration-gate/artifact-ca/ca.crt',
        '120',
      ]);
      expect(gateContainer(docs).volumeMounts?.find((m) => m.name === 'artifact-ca')).to.deep.equal({
        name: 'artifact-ca',
        mountPath: '/etc/migration-gate/artifact-ca',
        readOnly: true,
      });
      expect(
        gateDeployment(docs).spec.template.spec.volumes?.find((v) => v.name === 'artifact-ca')?.configMap,
      ).to.deep.equal({ name: 'artifact-ca' });
      const plain = Object.fromEntries(
        [...e].filter(([, v]) => v !== undefined && !v.includes('$(')) as [string, string][],
      );
      const config = loadConfig({ ...plain, GATE_NAMESPACE: NAMESPACE });
      expect([
        config.artifactRoot,
        config.artifactHosts,
        config.artifactCaFile,
        config.artifactTimeoutSeconds,
      ]).to.deep.equal([
        '/artifacts',
        ['artifacts.example:8443', 'mirror.example'],
        '/etc/migration-gate/artifact-ca/ca.crt',
        120,
      ]);
    });

    it('refuses two artifact roots at once and bad hosts', async () => {
      await refused(
        ['--set', 'artifacts.existingClaim=a', '--set', 'artifacts.persistence.enabled=true'],
        /set only one of existingClaim, persistence\.enabled and volume/,
      );
      await refused(['--set-json', 'artifacts.hosts=["https://artifacts.example"]'], /hosts/);
      await refused(['--set-json', 'artifacts.volume={"name":"x","emptyDir":{}}'], /volume/);
    });
  });

  describe('NetworkPolicy egress to the API server', () => {
    it('falls back to networkPolicy.apiServer.cidrs/ports where nothing can be looked up (helm template, deploy/)', async () => {
      expect(apiServerRule(defaults)).to.deep.equal({
        to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 6443, protocol: 'TCP' },
        ],
      });
      const docs = await render([
        '--set-json',
        'networkPolicy.apiServer.cidrs=["10.20.0.5/32"]',
        '--set-json',
        'networkPolicy.apiServer.ports=[16443]',
      ]);
      expect(apiServerRule(docs)).to.deep.equal({
        to: [{ ipBlock: { cidr: '10.20.0.5/32' } }],
        ports: [{ port: 16443, protocol: 'TCP' }],
      });
    });

    describe('against a real kube-apiserver (helm template --dry-run=server: lookup works)', () => {
      let cp: ControlPlane;
      before(async function () {
        this.timeout(300_000);
        cp = await startControlPlane();
      });
      after(async () => {
        await cp?.stop();
      });

      const serverRender = async (args: string[]): Promise<K8sObject[]> => {
        const r = await cp.helm([
          'template',
          RELEASE,
          CHART_DIR,
          '--namespace',
          NAMESPACE,
          '--dry-run=server',
          ...args,
        ]);
        expect(r.code, r.stderr).to.equal(0);
        return parseDocs(r.stdout);
      };

      // This control plane runs with --endpoint-reconciler-type=none (its only address is 127.0.0.1, which
      // Endpoints refuse), so the test publishes what a cluster's apiserver and controller-manager would:
      // documentation addresses on a non-default port.
      const apply = async (obj: object): Promise<void> => {
        const r = await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
        expect(r.code, r.stderr).to.equal(0);
      };

      it('allows exactly the EndpointSlice addresses and ports of Service kubernetes; lookup=false keeps the values', async () => {
        await apply({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          addressType: 'IPv4',
          metadata: {
            name: 'kubernetes',
            namespace: 'default',
            labels: { 'kubernetes.io/service-name': 'kubernetes' },
          },
          endpoints: [{ addresses: ['192.0.2.10'] }, { addresses: ['192.0.2.11'] }],
          ports: [{ name: 'https', port: 16443, protocol: 'TCP' }],
        });
        // A slice of another Service must not count.
        await apply({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          addressType: 'IPv4',
          metadata: {
            name: 'other',
            namespace: 'default',
            labels: { 'kubernetes.io/service-name': 'other' },
          },
          endpoints: [{ addresses: ['198.51.100.1'] }],
          ports: [{ name: 'x', port: 8080, protocol: 'TCP' }],
        });
        const rule = apiServerRule(await serverRender([]));
        expect(rule).to.deep.equal({
          to: [{ ipBlock: { cidr: '192.0.2.10/32' } }, { ipBlock: { cidr: '192.0.2.11/32' } }],
          ports: [{ port: 16443, protocol: 'TCP' }],
        });
        const off = apiServerRule(await serverRender(['--set', 'networkPolicy.apiServer.lookup=false']));
        expect(off.ports.map((p) => p.port)).to.deep.equal([443, 6443]);
      });

      it('without EndpointSlices reads the Endpoints object the apiserver maintains', async () => {
        expect((await cp.kubectl(['delete', 'endpointslice', '-n', 'default', 'kubernetes'])).code).to.equal(
          0,
        );
        await apply({
          apiVersion: 'v1',
          kind: 'Endpoints',
          metadata: { name: 'kubernetes', namespace: 'default' },
          subsets: [
            { addresses: [{ ip: '192.0.2.20' }], ports: [{ name: 'https', port: 8443, protocol: 'TCP' }] },
          ],
        });
        expect(apiServerRule(await serverRender([]))).to.deep.equal({
          to: [{ ipBlock: { cidr: '192.0.2.20/32' } }],
          ports: [{ port: 8443, protocol: 'TCP' }],
        });
      });
    });
  });

  describe('PrometheusRule', () => {
    interface Rule extends K8sObject {
      spec: { groups: RuleGroup[] };
    }
    const rules = (docs: K8sObject[]) =>
      one<Rule>(docs, 'PrometheusRule').spec.groups.flatMap((g) => g.rules);

    it('is not rendered by default; when enabled, alerts on chain, audit store, policy set, keys and certificate expiry', async () => {
      expect(byKind(defaults, 'PrometheusRule')).to.deep.equal([]);
      const docs = await render([
        '--set',
        'prometheusRule.enabled=true',
        '--set-json',
        'prometheusRule.labels={"release":"kube-prometheus"}',
        '--set-json',
        'prometheusRule.additionalAlertLabels={"team":"platform"}',
      ]);
      const r = one<Rule>(docs, 'PrometheusRule');
      expect(r.apiVersion).to.equal('monitoring.coreos.com/v1');
      expect((r.metadata as { labels?: Record<string, string> }).labels?.release).to.equal('kube-prometheus');
      const all = rules(docs);
      expect(all.map((x) => x.alert)).to.deep.equal([
        'MigrationGateAuditChainBroken',
        'MigrationGateAuditStoreFailing',
        'MigrationGatePolicySetBroken',
        'MigrationGatePinnedKeysBroken',
        'MigrationGateCertificateExpiresSoon',
        'MigrationGateCertificateExpiresVerySoon',
      ]);
      for (const x of all) {
        expect(x.labels.team, x.alert).to.equal('platform');
        expect(x.expr, x.alert).to.include(`namespace="${NAMESPACE}", service="${RELEASE}"`);
      }
      expect(all.find((x) => x.alert === 'MigrationGateAuditChainBroken')?.expr).to.include(
        'kind="audit-chain"',
      );
      expect(all.find((x) => x.alert === 'MigrationGatePolicySetBroken')?.expr).to.include(
        'kind="policy-load"',
      );
      expect(all.find((x) => x.alert === 'MigrationGateAuditStoreFailing')?.expr).to.match(
        /kind="audit-sink"[\s\S]*audit_write_errors_total/,
      );
    });

    it('reads only series the gate exports, none of which moves on a BLOCK', async () => {
      const all = rules(await render(['--set', 'prometheusRule.enabled=true']));
      const used = new Set(
        all.flatMap((x) => [...x.expr.matchAll(/\b(migration_gate_[a-z_]+)\b/g)].map((m) => m[1]!)),
      );
      expect([...used].sort()).to.deep.equal([
        'migration_gate_alert_condition',
        'migration_gate_audit_write_errors_total',
        'migration_gate_tls_cert_expiry_timestamp_seconds',
      ]);
      // A real gate's exposition (test/integration/metrics-conditions.test.ts shows these stay at 0 through BLOCKs).
      const gate = await startGate();
      try {
        const text = await (await fetch(`${gate.url}/metrics`)).text();
        for (const name of used) expect(text, name).to.match(new RegExp(`^# TYPE ${name} `, 'm'));
      } finally {
        await gate.stop();
      }
      for (const x of all)
        expect(x.expr, x.alert).not.to.match(
          /validations_total|admission_requests_total|alerts_total|policy_findings_total|decision/,
        );
    });

    it('promtool: fires on each kind of real trouble, for this release only, and never through a stream of BLOCKs', async () => {
      // The real rule evaluator: Debian's promtool (scripts/tools/ensure-promtool.sh), on synthetic series.
      const promtool = execFileSync('bash', ['scripts/tools/ensure-promtool.sh'], {
        encoding: 'utf8',
      }).trim();
      const doc = one<Rule>(await render(['--set', 'prometheusRule.enabled=true']), 'PrometheusRule');
      const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-promtool-'));
      try {
        writeFileSync(path.join(dir, 'rules.yaml'), stringifyYaml({ groups: doc.spec.groups }));
        const byName = new Map(doc.spec.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
        const me = `namespace="${NAMESPACE}",service="${RELEASE}"`;
        const series = (name: string, labels: string, values: string) => ({
          series: `${name}{${labels}}`,
          values,
        });
        const firing = (alert: string, pod: string) => {
          const r = byName.get(alert)!;
          return {
            exp_labels: { ...r.labels, namespace: NAMESPACE, pod },
            exp_annotations: Object.fromEntries(
              Object.entries(r.annotations).map(([k, v]) => [k, v.replaceAll('{{ $labels.pod }}', pod)]),
            ),
          };
        };
        const quiet = (pod: string, days = 90) => [
          ...['audit-chain', 'audit-sink', 'policy-load', 'key-load', 'cert-expiry'].map((kind) =>
            series('migration_gate_alert_condition', `${me},pod="${pod}",kind="${kind}"`, '0x90'),
          ),
          series('migration_gate_audit_write_errors_total', `${me},pod="${pod}"`, '0x90'),
          series(
            'migration_gate_tls_cert_expiry_timestamp_seconds',
            `${me},pod="${pod}"`,
            `${days * 86400}x90`,
          ),
        ];
        const alerts = [...byName.keys()];
        const none = (times: string[]) =>
          times.flatMap((t) => alerts.map((alertname) => ({ eval_time: t, alertname, exp_alerts: [] })));
        const tests = [
          {
            // Ordinary BLOCKs, critical ones included, at a high rate: nothing fires.
            interval: '1m',
            input_series: [
              ...quiet('p1'),
              series(
                'migration_gate_validations_total',
                `${me},pod="p1",scenario="T1",source="webhook",decision="BLOCK"`,
                '0+50x90',
              ),
              series(
                'migration_gate_admission_requests_total',
                `${me},pod="p1",resource="configmaps",operation="CREATE",decision="BLOCK"`,
                '0+50x90',
              ),
              series('migration_gate_alerts_total', `${me},pod="p1",severity="critical"`, '0+50x90'),
              series(
                'migration_gate_policy_findings_total',
                `${me},pod="p1",rule="config-hash-mismatch",action="block"`,
                '0+50x90',
              ),
            ],
            alert_rule_test: none(['5m', '30m', '90m']),
          },
          {
            // Each trouble on its own pod; a broken chain in another release does not page this one.
            interval: '1m',
            input_series: [
              ...quiet('chain').filter((x) => !x.series.includes('audit-chain')),
              series('migration_gate_alert_condition', `${me},pod="chain",kind="audit-chain"`, '0 0 1x88'),
              ...quiet('sink').filter((x) => !x.series.includes('audit_write_errors')),
              series('migration_gate_audit_write_errors_total', `${me},pod="sink"`, '0 0 0 1+1x87'),
              ...quiet('policy').filter((x) => !x.series.includes('policy-load')),
              series('migration_gate_alert_condition', `${me},pod="policy",kind="policy-load"`, '0 0 1x88'),
              ...quiet('keys').filter((x) => !x.series.includes('key-load')),
              series('migration_gate_alert_condition', `${me},pod="keys",kind="key-load"`, '0 0 1x88'),
              ...quiet('cert10', 10),
              ...quiet('cert2', 2),
              series(
                'migration_gate_alert_condition',
                `namespace="${NAMESPACE}",service="other-gate",pod="other",kind="audit-chain"`,
                '1x90',
              ),
            ],
            alert_rule_test: [
              { eval_time: '1m', alertname: 'MigrationGateAuditChainBroken', exp_alerts: [] },
              {
                eval_time: '20m',
                alertname: 'MigrationGateAuditChainBroken',
                exp_alerts: [firing('MigrationGateAuditChainBroken', 'chain')],
              },
              {
                eval_time: '20m',
                alertname: 'MigrationGateAuditStoreFailing',
                exp_alerts: [firing('MigrationGateAuditStoreFailing', 'sink')],
              },
              {
                eval_time: '20m',
                alertname: 'MigrationGatePolicySetBroken',
                exp_alerts: [firing('MigrationGatePolicySetBroken', 'policy')],
              },
              {
                eval_time: '20m',
                alertname: 'MigrationGatePinnedKeysBroken',
                exp_alerts: [firing('MigrationGatePinnedKeysBroken', 'keys')],
              },
              {
                eval_time: '20m',
                alertname: 'MigrationGateCertificateExpiresSoon',
                exp_alerts: [
                  firing('MigrationGateCertificateExpiresSoon', 'cert10'),
                  firing('MigrationGateCertificateExpiresSoon', 'cert2'),
                ],
              },
              {
                eval_time: '20m',
                alertname: 'MigrationGateCertificateExpiresVerySoon',
                exp_alerts: [firing('MigrationGateCertificateExpiresVerySoon', 'cert2')],
              },
            ],
          },
        ];
        writeFileSync(
          path.join(dir, 'tests.yaml'),
          stringifyYaml({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }),
        );
        const check = spawnSync(promtool, ['check', 'rules', 'rules.yaml'], { cwd: dir, encoding: 'utf8' });
        expect(check.status, check.stdout + check.stderr).to.equal(0);
        const r = spawnSync(promtool, ['test', 'rules', 'tests.yaml'], { cwd: dir, encoding: 'utf8' });
        expect(r.status, r.stdout + r.stderr).to.equal(0);
        expect(r.stdout + r.stderr).to.match(/SUCCESS/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('takes the certificate thresholds from values and refuses warning <= critical', async () => {
      const all = rules(
        await render([
          '--set',
          'prometheusRule.enabled=true',
          '--set',
          'prometheusRule.certExpiry.warningDays=21',
          '--set',
          'prometheusRule.certExpiry.criticalDays=5',
        ]),
      );
      expect(all.find((x) => x.alert === 'MigrationGateCertificateExpiresSoon')?.expr).to.match(
        /- time\(\) < 1814400$/,
      );
      expect(all.find((x) => x.alert === 'MigrationGateCertificateExpiresVerySoon')?.expr).to.match(
        /- time\(\) < 432000$/,
      );
      await refused(
        ['--set', 'prometheusRule.enabled=true', '--set', 'prometheusRule.certExpiry.warningDays=3'],
        /warningDays must be greater than criticalDays/,
      );
    });
  });
});
