// The Helm chart (charts/migration-gate) and its rendered plain manifests
// (deploy/migration-gate.yaml): lint, drift, schema, and the security
// properties the gate promises. Uses the cached official helm binary from
// test/e2e/scripts/ensure-tools.sh; when it is missing this FAILS (never skips),
// naming that script.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import {
  CHART_DIR,
  DEPLOY_FILE,
  ENSURE_TOOLS,
  NAMESPACE,
  REPO_ROOT,
  RELEASE,
  findHelm,
  renderDeploy,
  runHelm,
  staleChartCopies,
} from '../../scripts/render-deploy.js';
import { ENV_VARS } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { tokenReviewFromConfig } from '../../src/wiring/kube.js';
import { silentLogger } from '../../src/adapters/log.js';

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  [key: string]: unknown;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  securityContext?: SecurityContext;
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
}
interface PodSpec {
  securityContext?: SecurityContext;
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
}
interface Workload extends K8sObject {
  spec: { replicas?: number; template: { spec: PodSpec } };
}
interface Pod extends K8sObject {
  spec: PodSpec;
}
interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface Role extends K8sObject {
  rules: PolicyRule[];
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  matchPolicy: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  clientConfig: {
    url?: string;
    caBundle?: string;
    service?: { name: string; namespace: string; path: string; port: number };
  };
  namespaceSelector: LabelSelector;
  rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
}
interface WebhookConfig extends K8sObject {
  webhooks: Webhook[];
}

/** Env vars the chart sets that src/config/schema.ts does not read yet (the gate must add them). */
const ENV_VARS_PENDING_IN_GATE = new Set([
  'GATE_TLS_SECRET_NAME',
  'GATE_WEBHOOK_CONFIG_NAME',
  'GATE_LEASE_NAME',
  'GATE_SERVICE_NAME',
]);
const ALWAYS_EXCLUDED = ['kube-system', 'kube-node-lease'];

function parseDocs(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new Error(`invalid YAML in rendered output: ${doc.errors[0]?.message ?? ''}`);
    const v: unknown = doc.toJS();
    if (v === null || v === undefined) continue;
    out.push(v as K8sObject);
  }
  return out;
}

function byKind<T extends K8sObject>(docs: K8sObject[], kind: string): T[] {
  return docs.filter((d) => d.kind === kind) as T[];
}

function one<T extends K8sObject>(docs: K8sObject[], kind: string, name?: string): T {
  const found = byKind<T>(docs, kind).filter((d) => name === undefined || d.metadata.name === name);
  expect(found, `exactly one ${kind}${name ? ` ${name}` : ''} in the rendered chart`).to.have.length(1);
  return found[0] as T;
}

function podSpecs(docs: K8sObject[]): { owner: string; spec: PodSpec }[] {
  const out: { owner: string; spec: PodSpec }[] = [];
  for (const d of docs) {
    if (d.kind === 'Pod') out.push({ owner: `Pod/${d.metadata.name}`, spec: (d as Pod).spec });
    else if (['Deployment', 'Job', 'StatefulSet', 'DaemonSet'].includes(d.kind))
      out.push({ owner: `${d.kind}/${d.metadata.name}`, spec: (d as Workload).spec.template.spec });
  }
  return out;
}

/** The restricted Pod Security Standard, as the chart promises it for every pod it renders. */
function expectRestricted(owner: string, spec: PodSpec): void {
  const pod = spec.securityContext ?? {};
  expect(pod.runAsNonRoot, `${owner} pod runAsNonRoot`).to.equal(true);
  expect(pod.seccompProfile?.type, `${owner} pod seccomp`).to.equal('RuntimeDefault');
  for (const c of spec.containers) {
    const sc = c.securityContext ?? {};
    const where = `${owner} container ${c.name}`;
    expect(sc.readOnlyRootFilesystem, `${where} readOnlyRootFilesystem`).to.equal(true);
    expect(sc.allowPrivilegeEscalation, `${where} allowPrivilegeEscalation`).to.equal(false);
    expect(sc.capabilities?.drop, `${where} capabilities.drop`).to.include('ALL');
    expect(sc.capabilities?.add ?? [], `${where} capabilities.add`).to.deep.equal([]);
    expect(sc.privileged ?? false, `${where} privileged`).to.equal(false);
    expect(sc.seccompProfile?.type ?? pod.seccompProfile?.type, `${where} seccomp`).to.equal(
      'RuntimeDefault',
    );
    expect(sc.runAsNonRoot ?? pod.runAsNonRoot, `${where} runAsNonRoot`).to.equal(true);
  }
}

/** No wildcard in any list of the rule; ConfigMaps are never deleted or patched. */
function expectNoWildcardNoConfigMapDelete(role: Role): void {
  for (const rule of role.rules) {
    const where = `${role.kind}/${role.metadata.name} ${JSON.stringify(rule)}`;
    const values = [
      rule.apiGroups,
      rule.resources,
      rule.verbs,
      rule.resourceNames,
      rule.nonResourceURLs,
    ].flatMap((l) => l ?? []);
    expect(
      values.filter((v) => v.includes('*')),
      where,
    ).to.deep.equal([]);
    if (rule.resources?.includes('configmaps')) {
      expect(rule.verbs, where).to.not.include.oneOf([
        'delete',
        'deletecollection',
        'patch',
        'escalate',
        'bind',
        'impersonate',
      ]);
    }
  }
}

describe('Helm chart charts/migration-gate', function () {
  this.timeout(120_000);
  let helm = '';
  const template = async (
    args: string[] = [],
    namespace = NAMESPACE,
  ): Promise<{ code: number; stdout: string; stderr: string }> =>
    runHelm(helm, ['template', RELEASE, CHART_DIR, '--namespace', namespace, ...args]);
  const render = async (args: string[] = [], namespace = NAMESPACE): Promise<K8sObject[]> => {
    const r = await template(args, namespace);
    expect(r.code, `helm template ${args.join(' ')} failed:\n${r.stderr}`).to.equal(0);
    return parseDocs(r.stdout);
  };
  let defaults: K8sObject[] = [];

  before(async function () {
    // Throws with the path it looked at and "bash test/e2e/scripts/ensure-tools.sh".
    helm = findHelm();
    expect(ENSURE_TOOLS).to.equal('test/e2e/scripts/ensure-tools.sh');
    defaults = await render();
  });

  describe('lint and drift', () => {
    it('helm lint passes, also with --strict', async () => {
      for (const args of [
        ['lint', CHART_DIR],
        ['lint', '--strict', CHART_DIR],
      ]) {
        const r = await runHelm(helm, args);
        expect(r.code, `helm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`).to.equal(0);
        expect(r.stdout, `helm ${args.join(' ')}`).not.to.match(/\[(ERROR|WARNING)\]/);
      }
    });

    it('carries exact copies of policies/baseline.yaml and deploy/crds/migrationrequests.yaml', () => {
      const stale = staleChartCopies();
      expect(
        stale.map((s) => s.reason),
        'run: npx tsx scripts/render-deploy.ts',
      ).to.deep.equal([]);
    });

    it('deploy/migration-gate.yaml is the chart rendered with its defaults (no drift)', async () => {
      const expected = await renderDeploy(helm);
      let actual = '';
      try {
        actual = readFileSync(DEPLOY_FILE, 'utf8');
      } catch {
        expect.fail(
          `${path.relative(REPO_ROOT, DEPLOY_FILE)} is missing: run npx tsx scripts/render-deploy.ts`,
        );
      }
      if (actual !== expected) {
        const a = actual.split('\n');
        const e = expected.split('\n');
        const line = e.findIndex((l, i) => a[i] !== l);
        expect.fail(
          `deploy/migration-gate.yaml drifted from the chart (first difference at line ${line + 1}: ` +
            `${JSON.stringify(a[line])} vs ${JSON.stringify(e[line])}): run npx tsx scripts/render-deploy.ts`,
        );
      }
    });

    it('deploy/ is applyable as is: a Namespace first, every namespaced object in it, no hooks, no generated secrets', async () => {
      const docs = parseDocs(await renderDeploy(helm));
      expect(docs[0]?.kind).to.equal('Namespace');
      expect(docs[0]?.metadata.name).to.equal(NAMESPACE);
      const clusterScoped = new Set([
        'Namespace',
        'ClusterRole',
        'ClusterRoleBinding',
        'ValidatingWebhookConfiguration',
        'CustomResourceDefinition',
      ]);
      for (const d of docs) {
        expect(d.metadata.annotations?.['helm.sh/hook'], `${d.kind}/${d.metadata.name} is a hook`).to.equal(
          undefined,
        );
        if (!clusterScoped.has(d.kind))
          expect(d.metadata.namespace, `${d.kind}/${d.metadata.name} namespace`).to.equal(NAMESPACE);
        if (d.kind === 'Secret') expect(d.metadata.name).not.to.match(/api-token/);
      }
      expect(docs.map((d) => d.kind)).to.include.members([
        'CustomResourceDefinition',
        'Deployment',
        'Service',
        'ValidatingWebhookConfiguration',
        'Role',
        'ClusterRole',
      ]);
    });
  });

  describe('values.schema.json', () => {
    const rejects: [string, RegExp][] = [
      ['webhook.timeoutSeconds=31', /timeoutSeconds/],
      ['webhook.failurePolicy=Maybe', /failurePolicy/],
      ['tls.mode=letsencrypt', /tls[./]mode/],
      ['audit.sink=s3', /audit[./]sink/],
      ['securityContext.readOnlyRootFilesystem=false', /readOnlyRootFilesystem/],
      ['podSecurityContext.runAsNonRoot=false', /runAsNonRoot/],
      ['webhook.url=http://127.0.0.1:8443/validate', /webhook[./]url/],
      ['no.such.value=1', /additional propert(y|ies) '?no'? (is )?not allowed/i],
      ['api.tokenReviewEnvs={dev}', /tokenReviewEnvs/],
      ['api.allowedUsers={a b}', /allowedUsers/],
    ];
    for (const [set, message] of rejects) {
      it(`rejects --set ${set}`, async () => {
        const r = await template(['--set', set]);
        expect(r.code, r.stdout.slice(0, 200)).not.to.equal(0);
        expect(r.stderr).to.match(/values don't meet the specifications of the schema/);
        expect(r.stderr).to.match(message);
      });
    }

    it('accepts webhook.timeoutSeconds=30 and failurePolicy Ignore', async () => {
      const docs = await render([
        '--set',
        'webhook.timeoutSeconds=30',
        '--set',
        'webhook.failurePolicy=Ignore',
      ]);
      const vwc = one<WebhookConfig>(docs, 'ValidatingWebhookConfiguration');
      for (const w of vwc.webhooks) expect([w.timeoutSeconds, w.failurePolicy]).to.deep.equal([30, 'Ignore']);
    });
  });

  describe('the gate Deployment', () => {
    it('runs non-root with a read-only root filesystem, no capabilities, RuntimeDefault seccomp (every pod the chart renders)', async () => {
      const all = await render(['--set', 'tls.mode=certManager']); // hooks and the test pod are rendered too
      const specs = podSpecs(all);
      expect(specs.map((s) => s.owner)).to.include.members([
        `Deployment/${RELEASE}`,
        `Job/${RELEASE}-cleanup`,
        `Pod/${RELEASE}-test-healthz`,
      ]);
      for (const { owner, spec } of specs) expectRestricted(owner, spec);
      const gate = one<Workload>(defaults, 'Deployment').spec.template.spec;
      expect(gate.securityContext?.runAsUser).to.equal(10001);
      expect(gate.containers[0]?.securityContext?.runAsUser).to.equal(10001);
    });

    it('has 2 replicas, both ports, probes on the api port, writable /tmp and /data only as emptyDir', () => {
      const d = one<Workload>(defaults, 'Deployment');
      expect(d.spec.replicas).to.equal(2);
      const c = d.spec.template.spec.containers[0] as Container;
      expect(c.ports?.map((p) => [p.name, p.containerPort])).to.deep.equal([
        ['webhook', 8443],
        ['api', 8080],
      ]);
      expect(c.livenessProbe?.httpGet).to.deep.include({ path: '/healthz', port: 'api' });
      expect(c.readinessProbe?.httpGet).to.deep.include({ path: '/readyz', port: 'api' });
      const mounts = new Map((c.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
      const volumes = new Map((d.spec.template.spec.volumes ?? []).map((v) => [v.name, v]));
      for (const p of ['/tmp', '/data'])
        expect(volumes.get(mounts.get(p) ?? '')?.emptyDir, `${p} is an emptyDir`).to.not.equal(undefined);
      for (const p of [
        '/etc/migration-gate/policies',
        '/etc/migration-gate/keys',
        '/etc/migration-gate/tls',
        '/etc/migration-gate/api',
      ])
        expect(mounts.has(p), p).to.equal(true);
    });

    it('sets the environment the gate reads (and only names the gate knows, apart from the listed pending ones)', () => {
      const c = one<Workload>(defaults, 'Deployment').spec.template.spec.containers[0] as Container;
      const env = new Map((c.env ?? []).map((e) => [e.name, e]));
      expect(env.get('GATE_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).to.equal('metadata.namespace');
      expect(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath).to.equal('metadata.name');
      expect(env.get('GATE_WRITER_ID')?.value).to.equal('$(POD_NAME)');
      const expected: Record<string, string> = {
        GATE_AUDIT_SINK: 'configmap',
        GATE_AUDIT_FAIL_CLOSED: 'true',
        GATE_TLS_MODE: 'selfManaged',
        GATE_TLS_DIR: '/etc/migration-gate/tls',
        GATE_WEBHOOK_TIMEOUT_SECONDS: '10',
        GATE_POLICY_DIR: '/etc/migration-gate/policies',
        GATE_KEYS_DIR: '/etc/migration-gate/keys',
        GATE_API_TOKENS_FILE: '/etc/migration-gate/api/tokens',
        GATE_WEBHOOK_PORT: '8443',
        GATE_API_PORT: '8080',
        GATE_DATA_DIR: '/data',
        GATE_BIND_ADDRESS: '0.0.0.0', // the embedded default is loopback; the chart sets every interface itself
      };
      for (const [k, v] of Object.entries(expected)) expect(env.get(k)?.value, k).to.equal(v);
      const known = new Set(Object.keys(ENV_VARS));
      const unknown = [...env.keys()].filter(
        (k) => k.startsWith('GATE_') && !known.has(k) && !ENV_VARS_PENDING_IN_GATE.has(k),
      );
      expect(unknown, 'GATE_* variables src/config/schema.ts does not define').to.deep.equal([]);
    });
  });

  describe('the webhook configuration', () => {
    it('two webhooks per environment and enforcement mode, fail closed, NoneOnDryRun, v1, Equivalent, 10 s, path /validate/<env>[/<mode>] on the Service', () => {
      const vwc = one<WebhookConfig>(defaults, 'ValidatingWebhookConfiguration');
      const names = (env: string): string[] =>
        ['', 'warn.', 'audit.'].flatMap((m) => [
          `${m}${env}configmaps.migrationgate.io`,
          `${m}${env}migrationrequests.migrationgate.io`,
        ]);
      expect(vwc.webhooks.map((w) => w.name)).to.deep.equal([...names(''), ...names('staging.')]);
      for (const w of vwc.webhooks) {
        const env = w.name.replace(/^(warn|audit)\./, '').startsWith('staging.') ? 'staging' : 'prod';
        const mode = /^(warn|audit)\./.exec(w.name)?.[1];
        // The enforcement label picks the mode; the default (enforce) takes every other value and no label.
        expect(
          (w as unknown as { namespaceSelector: { matchExpressions: unknown[] } }).namespaceSelector
            .matchExpressions,
        ).to.deep.include(
          mode
            ? { key: 'migrationgate.io/enforcement', operator: 'In', values: [mode] }
            : { key: 'migrationgate.io/enforcement', operator: 'NotIn', values: ['warn', 'audit'] },
        );
        if (mode) {
          expect(w.clientConfig.service?.path).to.equal(`/validate/${env}/${mode}`);
          continue;
        }
        expect(w.failurePolicy).to.equal('Fail');
        expect(w.sideEffects).to.equal('NoneOnDryRun');
        expect(w.admissionReviewVersions).to.deep.equal(['v1']);
        expect(w.matchPolicy).to.equal('Equivalent');
        expect(w.timeoutSeconds).to.equal(10);
        expect(w.clientConfig.service).to.deep.equal({
          name: RELEASE,
          namespace: NAMESPACE,
          path: `/validate/${env}`,
          port: 443,
        });
        // Unlabelled namespaces match NotIn: they are prod.
        expect(
          (w as unknown as { namespaceSelector: { matchExpressions: unknown[] } }).namespaceSelector
            .matchExpressions,
        ).to.deep.include({
          key: 'migrationgate.io/env',
          operator: env === 'prod' ? 'NotIn' : 'In',
          values: ['staging'],
        });
        expect(w.clientConfig.url).to.equal(undefined);
        // selfManaged: no caBundle key, so `helm upgrade` never wipes the injected CA.
        expect(w.clientConfig).not.to.have.property('caBundle');
        for (const r of w.rules) expect(r.operations).to.deep.equal(['CREATE', 'UPDATE']);
      }
      expect(vwc.webhooks[0]?.rules[0]?.resources).to.deep.equal(['configmaps']);
      expect(vwc.webhooks[1]?.rules[0]?.resources).to.deep.equal(['migrationrequests']);
      expect(vwc.webhooks[1]?.rules[0]?.apiGroups).to.deep.equal(['migrationgate.io']);
    });

    it('webhook.enforcement: allowedModes [enforce] renders the four historical webhooks; default warn sends unlabelled namespaces to /warn', async () => {
      const only = one<WebhookConfig>(
        await render(['--set', 'webhook.enforcement.allowedModes={enforce}']),
        'ValidatingWebhookConfiguration',
      );
      expect(only.webhooks.map((w) => w.name)).to.deep.equal([
        'configmaps.migrationgate.io',
        'migrationrequests.migrationgate.io',
        'staging.configmaps.migrationgate.io',
        'staging.migrationrequests.migrationgate.io',
      ]);
      for (const w of only.webhooks)
        expect(
          w.namespaceSelector.matchExpressions?.some((e) => e.key === 'migrationgate.io/enforcement'),
          w.name,
        ).to.equal(false);
      const warn = one<WebhookConfig>(
        await render(['--set', 'webhook.enforcement.default=warn']),
        'ValidatingWebhookConfiguration',
      );
      const byName = new Map(warn.webhooks.map((w) => [w.name, w]));
      expect(
        byName.get('warn.configmaps.migrationgate.io')!.namespaceSelector.matchExpressions,
      ).to.deep.include({
        key: 'migrationgate.io/enforcement',
        operator: 'NotIn',
        values: ['enforce', 'audit'],
      });
      expect(byName.get('configmaps.migrationgate.io')!.namespaceSelector.matchExpressions).to.deep.include({
        key: 'migrationgate.io/enforcement',
        operator: 'In',
        values: ['enforce'],
      });
    });

    it('excludes its own namespace, kube-system and kube-node-lease (and extra ones); ConfigMaps need the enforce label', async () => {
      const docs = await render(['--set', 'webhook.excludedNamespaces={kube-public}'], 'gate-ns');
      const vwc = one<WebhookConfig>(docs, 'ValidatingWebhookConfiguration');
      for (const w of vwc.webhooks) {
        const expr = w.namespaceSelector.matchExpressions?.find(
          (e) => e.key === 'kubernetes.io/metadata.name',
        );
        expect(expr?.operator, w.name).to.equal('NotIn');
        expect(expr?.values, w.name).to.include.members(['gate-ns', ...ALWAYS_EXCLUDED, 'kube-public']);
      }
      expect(vwc.webhooks[0]?.namespaceSelector.matchLabels).to.deep.equal({
        'migrationgate.io/enforce': 'true',
      });
      const dflt = one<WebhookConfig>(defaults, 'ValidatingWebhookConfiguration');
      for (const w of dflt.webhooks) {
        expect(w.namespaceSelector.matchExpressions?.[0]?.values).to.include.members([
          NAMESPACE,
          ...ALWAYS_EXCLUDED,
        ]);
      }
    });

    it('url mode renders url/<env> + caBundle and no service', async () => {
      const url = 'https://127.0.0.1:18443/validate';
      const docs = await render(['--set', `webhook.url=${url}`, '--set', 'webhook.caBundle=Q0EK']);
      for (const w of one<WebhookConfig>(docs, 'ValidatingWebhookConfiguration').webhooks) {
        const mode = /^(warn|audit)\./.exec(w.name)?.[1];
        const env = w.name.replace(/^(warn|audit)\./, '').startsWith('staging.') ? 'staging' : 'prod';
        expect(w.clientConfig).to.deep.equal({
          url: `${url}/${env}${mode ? `/${mode}` : ''}`,
          caBundle: 'Q0EK',
        });
      }
    });

    it('certManager mode renders an Issuer, a Certificate and the inject-ca-from annotation', async () => {
      const docs = await render(['--set', 'tls.mode=certManager']);
      const cert = one<K8sObject & { spec: { secretName: string; dnsNames: string[] } }>(docs, 'Certificate');
      expect(cert.spec.secretName).to.equal(`${RELEASE}-tls`);
      expect(cert.spec.dnsNames).to.include(`${RELEASE}.${NAMESPACE}.svc`);
      one(docs, 'Issuer');
      const vwc = one<WebhookConfig>(docs, 'ValidatingWebhookConfiguration');
      expect(vwc.metadata.annotations?.['cert-manager.io/inject-ca-from']).to.equal(
        `${NAMESPACE}/${RELEASE}-tls`,
      );
    });

    it('existingSecret mode requires the Secret name and a caBundle', async () => {
      expect((await template(['--set', 'tls.mode=existingSecret'])).code).not.to.equal(0);
      const r = await template(['--set', 'tls.mode=existingSecret', '--set', 'tls.existingSecret=my-tls']);
      expect(r.code).not.to.equal(0);
      expect(r.stderr).to.match(/webhook\.caBundle/);
      const docs = await render([
        '--set',
        'tls.mode=existingSecret',
        '--set',
        'tls.existingSecret=my-tls',
        '--set',
        'webhook.caBundle=Q0EK',
      ]);
      for (const w of one<WebhookConfig>(docs, 'ValidatingWebhookConfiguration').webhooks)
        expect(w.clientConfig.caBundle).to.equal('Q0EK');
    });
  });

  describe('RBAC', () => {
    const roles = (docs: K8sObject[]): Role[] => [
      ...byKind<Role>(docs, 'Role'),
      ...byKind<Role>(docs, 'ClusterRole'),
    ];

    it('has no wildcard anywhere and never deletes or patches ConfigMaps (every mode)', async () => {
      for (const mode of ['selfManaged', 'certManager']) {
        const docs = await render(['--set', `tls.mode=${mode}`]);
        for (const role of roles(docs)) expectNoWildcardNoConfigMapDelete(role);
      }
    });

    it('the archiver (opt-in) runs as its own ServiceAccount, the only one that may delete ConfigMaps; the gate still cannot', async () => {
      const docs = await render([
        '--set',
        'audit.archiver.enabled=true',
        '--set',
        'audit.archiver.persistentVolumeClaim=audit-archive',
        '--set',
        'audit.archiver.postgres.existingSecret=archive-pg',
        '--set',
        'audit.maxLiveSegments=64',
      ]);
      const archiver = `${RELEASE}-archiver`;
      const gateRole = one<Role>(docs, 'Role', RELEASE);
      expectNoWildcardNoConfigMapDelete(gateRole);
      const role = one<Role>(docs, 'Role', archiver);
      expect(role.rules).to.deep.equal([
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'delete', 'create'] },
        {
          apiGroups: [''],
          resources: ['configmaps'],
          resourceNames: ['migration-gate-audit-archive'],
          verbs: ['update'],
        },
      ]);
      const binding = one<K8sObject & { subjects: { name: string }[]; roleRef: { name: string } }>(
        docs,
        'RoleBinding',
        archiver,
      );
      expect(binding.roleRef.name).to.equal(archiver);
      expect(binding.subjects.map((x) => x.name)).to.deep.equal([archiver]);
      for (const b of byKind<K8sObject & { subjects: { name: string }[]; roleRef: { name: string } }>(
        docs,
        'RoleBinding',
      ).filter((x) => x.metadata.name !== archiver)) {
        expect(b.roleRef.name, 'no other binding grants the archiver role').to.not.equal(archiver);
      }
      const cron = one<
        K8sObject & {
          spec: {
            concurrencyPolicy: string;
            jobTemplate: { spec: { template: { spec: PodSpec & { serviceAccountName: string } } } };
          };
        }
      >(docs, 'CronJob', archiver);
      expect(cron.spec.concurrencyPolicy).to.equal('Forbid');
      const pod = cron.spec.jobTemplate.spec.template.spec;
      expect(pod.serviceAccountName).to.equal(archiver);
      expectRestricted(`CronJob/${archiver}`, pod);
      const c = pod.containers[0] as unknown as {
        command: string[];
        args: string[];
        env: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
      };
      expect([...c.command, ...c.args]).to.deep.equal([
        'node',
        'dist/cli.js',
        'audit',
        'archive',
        '--dir',
        '/archive',
      ]);
      expect(
        c.env.find((e) => e.name === 'GATE_AUDIT_ARCHIVE_POSTGRES_URL')?.valueFrom?.secretKeyRef?.name,
      ).to.equal('archive-pg');
      const gate = one<Workload>(docs, 'Deployment', RELEASE).spec.template.spec.containers[0] as unknown as {
        env: { name: string; value?: string }[];
      };
      expect(gate.env.find((e) => e.name === 'GATE_AUDIT_MAX_SEGMENTS')?.value).to.equal('64');
      // Without an archive store it refuses to render; postgres without its Secret likewise.
      expect((await template(['--set', 'audit.archiver.enabled=true'])).stderr).to.match(
        /needs an archive store/,
      );
      expect((await template(['--set', 'audit.sink=postgres'])).stderr).to.match(
        /audit\.postgres\.existingSecret/,
      );
      const pgDocs = await render([
        '--set',
        'audit.sink=postgres',
        '--set',
        'audit.postgres.existingSecret=gate-pg',
      ]);
      const pgEnv = (
        one<Workload>(pgDocs, 'Deployment', RELEASE).spec.template.spec.containers[0] as unknown as {
          env: {
            name: string;
            value?: string;
            valueFrom?: { secretKeyRef?: { name: string; key: string } };
          }[];
        }
      ).env;
      expect(pgEnv.find((e) => e.name === 'GATE_AUDIT_POSTGRES_URL')).to.deep.equal({
        name: 'GATE_AUDIT_POSTGRES_URL',
        valueFrom: { secretKeyRef: { name: 'gate-pg', key: 'url' } },
      });
    });

    it('is least privilege: named Secret/Lease/webhook configuration, MigrationRequests read-only, no TokenReview by default', () => {
      const role = one<Role>(defaults, 'Role', RELEASE);
      const cm = role.rules.filter((r) => r.resources?.includes('configmaps'));
      expect(cm.flatMap((r) => r.verbs).sort()).to.deep.equal(['create', 'get', 'list', 'update', 'watch']);
      for (const r of role.rules.filter(
        (x) => x.resources?.includes('secrets') || x.resources?.includes('leases'),
      )) {
        // `create` cannot be restricted by resourceNames; everything else must be.
        if (!r.resourceNames) expect(r.verbs, JSON.stringify(r)).to.deep.equal(['create']);
        else expect(r.resourceNames).to.have.length(1);
        expect(r.verbs).to.not.include.oneOf(['list', 'watch', 'delete', 'patch']);
      }
      expect(
        role.rules.find((r) => r.resources?.includes('secrets') && r.resourceNames)?.resourceNames,
      ).to.deep.equal([`${RELEASE}-tls`]);
      expect(
        role.rules.find((r) => r.resources?.includes('leases') && r.resourceNames)?.resourceNames,
      ).to.deep.equal([`${RELEASE}-leader`]);

      const cr = one<Role>(defaults, 'ClusterRole', RELEASE);
      const vwc = cr.rules.filter((r) => r.resources?.includes('validatingwebhookconfigurations'));
      expect(vwc).to.have.length(1);
      expect(vwc[0]?.resourceNames).to.deep.equal([RELEASE]);
      expect(vwc[0]?.verbs.slice().sort()).to.deep.equal(['get', 'patch']);
      expect(
        cr.rules
          .find((r) => r.resources?.includes('migrationrequests'))
          ?.verbs.slice()
          .sort(),
      ).to.deep.equal(['get', 'list', 'watch']);
      // TokenReview is off by default (no allow-list fits every cluster), so no `create tokenreviews`.
      const resources = cr.rules.flatMap((r) => r.resources ?? []).sort();
      expect(resources).to.deep.equal(['migrationrequests', 'validatingwebhookconfigurations']);
    });

    it('api.tokenReview=true with an allow-list turns TokenReview on and adds exactly create tokenreviews', async () => {
      const env = (docs: K8sObject[], name: string): unknown =>
        one<Workload>(docs, 'Deployment', RELEASE).spec.template.spec.containers[0]!.env!.find(
          (e) => e.name === name,
        )?.value;
      expect(env(defaults, 'GATE_API_TOKEN_REVIEW')).to.equal('false');
      for (const name of ['GATE_API_ALLOWED_USERS', 'GATE_API_ALLOWED_GROUPS', 'GATE_API_TOKEN_REVIEW_ENVS'])
        expect(env(defaults, name), name).to.equal(undefined);
      const on = await render([
        '--set',
        'api.tokenReview=true',
        '--set',
        'api.allowedUsers={system:serviceaccount:ci:deployer}',
        '--set',
        'api.tokenReviewEnvs={staging}',
      ]);
      expect(env(on, 'GATE_API_TOKEN_REVIEW')).to.equal('true');
      expect(env(on, 'GATE_API_ALLOWED_USERS')).to.equal('system:serviceaccount:ci:deployer');
      expect(env(on, 'GATE_API_ALLOWED_GROUPS')).to.equal(undefined);
      expect(env(on, 'GATE_API_TOKEN_REVIEW_ENVS')).to.equal('staging');
      const cr = one<Role>(on, 'ClusterRole', RELEASE);
      expect(cr.rules.find((r) => r.resources?.includes('tokenreviews'))?.verbs).to.deep.equal(['create']);
      expect(cr.rules.flatMap((r) => r.resources ?? []).sort()).to.deep.equal([
        'migrationrequests',
        'tokenreviews',
        'validatingwebhookconfigurations',
      ]);
      const groups = await render([
        '--set',
        'api.tokenReview=true',
        '--set',
        'api.allowedGroups={system:serviceaccounts:ci,system:serviceaccounts:cd}',
      ]);
      expect(env(groups, 'GATE_API_ALLOWED_GROUPS')).to.equal(
        'system:serviceaccounts:ci,system:serviceaccounts:cd',
      );
      expect(env(groups, 'GATE_API_TOKEN_REVIEW_ENVS')).to.equal('prod,staging');
    });

    it('the gate accepts the environment the chart renders (defaults and TokenReview on): the default install starts', async () => {
      const gateEnv = (docs: K8sObject[]): Record<string, string> => {
        const out: Record<string, string> = {};
        for (const e of one<Workload>(docs, 'Deployment', RELEASE).spec.template.spec.containers[0]!.env ??
          []) {
          if (e.value !== undefined)
            out[e.name] = e.value.replace('$(POD_NAME)', `${RELEASE}-5d8f7c9b6d-x2x4k`);
          else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') out[e.name] = NAMESPACE;
          else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name')
            out[e.name] = `${RELEASE}-5d8f7c9b6d-x2x4k`;
        }
        return out;
      };
      // The start-up check that made every default pod exit 78 (config-invalid).
      const config = loadConfig(gateEnv(defaults));
      expect(config.apiTokenReview).to.equal(false);
      expect(
        tokenReviewFromConfig(
          config,
          () => {
            throw new Error('TokenReview is off: no apiserver needed');
          },
          silentLogger,
        ),
      ).to.equal(undefined);
      const on = loadConfig(
        gateEnv(
          await render([
            '--set',
            'api.tokenReview=true',
            '--set',
            'api.allowedGroups={system:serviceaccounts:ci}',
          ]),
        ),
      );
      expect([
        on.apiTokenReview,
        on.apiAllowedUsers,
        on.apiAllowedGroups,
        on.apiTokenReviewEnvs,
      ]).to.deep.equal([true, [], ['system:serviceaccounts:ci'], ['prod', 'staging']]);
    });

    it('api.tokenReview=true without an allow-list is refused at render time (never pods that exit 78)', async () => {
      const r = await template(['--set', 'api.tokenReview=true']);
      expect(r.code).not.to.equal(0);
      expect(r.stderr).to.match(/api\.tokenReview=true needs api\.allowedUsers or api\.allowedGroups/);
    });

    it('the pre-delete cleanup may delete exactly its own webhook configuration', async () => {
      const docs = await render(['--set', 'tls.mode=selfManaged']);
      const cleanup = one<Role>(docs, 'ClusterRole', `${RELEASE}-cleanup`);
      expect(cleanup.metadata.annotations?.['helm.sh/hook']).to.equal('pre-delete');
      expect(cleanup.rules).to.deep.equal([
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          resourceNames: [RELEASE],
          verbs: ['delete'],
        },
      ]);
      const job = one<Workload>(docs, 'Job', `${RELEASE}-cleanup`);
      expect(job.metadata.annotations?.['helm.sh/hook-delete-policy']).to.match(/hook-succeeded/);
    });
  });

  describe('network and monitoring', () => {
    interface NetPol extends K8sObject {
      spec: {
        policyTypes: string[];
        ingress: {
          ports: { port: string | number }[];
          from?: { podSelector?: object; namespaceSelector?: LabelSelector }[];
        }[];
        egress: { ports: { port: number; protocol: string }[]; to: object[] }[];
      };
    }

    it('NetworkPolicy: webhook port from anywhere, api port from this namespace (+ selector), egress DNS and API server only', async () => {
      const np = one<NetPol>(defaults, 'NetworkPolicy');
      expect(np.spec.policyTypes).to.deep.equal(['Ingress', 'Egress']);
      const webhook = np.spec.ingress.find((r) => r.ports.some((p) => p.port === 'webhook'));
      expect(webhook?.from, 'webhook ingress is open (apiserver address unknowable)').to.equal(undefined);
      const api = np.spec.ingress.find((r) => r.ports.some((p) => p.port === 'api'));
      expect(api?.from).to.deep.equal([{ podSelector: {} }]);
      expect(np.spec.egress.flatMap((r) => r.ports.map((p) => p.port)).sort((a, b) => a - b)).to.deep.equal([
        53, 53, 443, 6443,
      ]);
      const sel = { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } };
      const docs = await render(['--set-json', `networkPolicy.apiNamespaceSelector=${JSON.stringify(sel)}`]);
      const api2 = one<NetPol>(docs, 'NetworkPolicy').spec.ingress.find((r) =>
        r.ports.some((p) => p.port === 'api'),
      );
      expect(api2?.from).to.deep.equal([{ podSelector: {} }, { namespaceSelector: sel }]);
    });

    it('ServiceMonitor only when enabled, scraping /metrics on the api port', async () => {
      expect(byKind(defaults, 'ServiceMonitor')).to.deep.equal([]);
      const docs = await render(['--set', 'serviceMonitor.enabled=true']);
      const sm = one<K8sObject & { spec: { endpoints: { port: string; path: string }[] } }>(
        docs,
        'ServiceMonitor',
      );
      expect(sm.apiVersion).to.equal('monitoring.coreos.com/v1');
      expect(sm.spec.endpoints[0]).to.deep.include({ port: 'api', path: '/metrics' });
    });

    it('PodDisruptionBudget minAvailable 1 and a Service 443->webhook, 8080->api', () => {
      const pdb = one<K8sObject & { spec: { minAvailable: number } }>(defaults, 'PodDisruptionBudget');
      expect(pdb.spec.minAvailable).to.equal(1);
      const svc = one<
        K8sObject & { spec: { type: string; ports: { name: string; port: number; targetPort: string }[] } }
      >(defaults, 'Service');
      expect(svc.spec.type).to.equal('ClusterIP');
      expect(svc.spec.ports.map((p) => [p.name, p.port, p.targetPort])).to.deep.equal([
        ['webhook', 443, 'webhook'],
        ['api', 8080, 'api'],
      ]);
    });
  });

  describe('CRD, policies, tokens', () => {
    it('renders the CRD from deploy/crds with helm.sh/resource-policy: keep', () => {
      const crd = one<K8sObject & { spec: unknown }>(defaults, 'CustomResourceDefinition');
      expect(crd.metadata.annotations?.['helm.sh/resource-policy']).to.equal('keep');
      const source = parseYaml(
        readFileSync(path.join(REPO_ROOT, 'deploy/crds/migrationrequests.yaml'), 'utf8'),
      ) as K8sObject & { spec: unknown };
      expect(crd.metadata.name).to.equal(source.metadata.name);
      expect(crd.spec).to.deep.equal(source.spec);
    });

    it('mounts the baseline policy set byte for byte', () => {
      const cm = one<K8sObject & { data: Record<string, string> }>(
        defaults,
        'ConfigMap',
        `${RELEASE}-policies`,
      );
      expect(cm.data['baseline.yaml']).to.equal(
        readFileSync(path.join(REPO_ROOT, 'policies/baseline.yaml'), 'utf8'),
      );
    });

    it('generates an API token whose digest (only) is mounted', async () => {
      const secret = one<K8sObject & { data: Record<string, string> }>(
        defaults,
        'Secret',
        `${RELEASE}-api-token`,
      );
      const token = Buffer.from(secret.data.token ?? '', 'base64').toString();
      expect(token).to.have.length.greaterThanOrEqual(32);
      const { createHash } = await import('node:crypto');
      expect(Buffer.from(secret.data.tokens ?? '', 'base64').toString()).to.equal(
        `sha256:${createHash('sha256').update(token).digest('hex')}\n`,
      );
      const d = one<Workload>(defaults, 'Deployment');
      const vol = (d.spec.template.spec.volumes ?? []).find((v) => v.name === 'api-tokens') as
        { secret?: { items?: { key: string }[] } } | undefined;
      expect(vol?.secret?.items?.map((i) => i.key)).to.deep.equal(['tokens']);
    });
  });
});
