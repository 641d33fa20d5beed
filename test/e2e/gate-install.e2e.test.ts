// The chart installed with the official helm into a real kube-apiserver, the
// real gate (src/main.ts as a process, local TLS) registered in url mode, and
// every examples/k8s MigrationRequest sent with the official kubectl: good
// ones are created, bad ones are denied with the gate's reason. Their
// artifacts are read from the repository's examples/ (rewritten file://
// URLs), which pods with default values cannot mount; the ConfigMap cases, a
// staging warning and dry runs are proven against real pods in
// pods.e2e.test.ts.
//
//   npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/gate-install.e2e.test.ts
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import type { RunResult } from './harness/exec.js';
import {
  CHART_DIR,
  RELEASE,
  RELEASE_NAMESPACE,
  K8S_EXAMPLES_DIR,
  exampleCases,
  localArtifacts,
  mapLimit,
  startGateCluster,
  type GateCluster,
  stopClusterAfterSuite,
} from './support/gate-cluster.js';
import { auditRecords } from './support/local-gate.js';

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
const SCENARIO_OF: Record<string, string> = { ConfigMap: 'T1', MigrationRequest: 'T2' };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('e2e: helm install + kubectl apply through a real kube-apiserver to the real gate', function () {
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

  describe('kubectl apply of every examples/k8s MigrationRequest case', () => {
    const cases = exampleCases().filter((c) => c.kind === 'MigrationRequest');
    const results = new Map<string, RunResult>();
    let existing = new Set<string>();

    before(async () => {
      const ns = await kubectl(['apply', '-f', `${K8S_EXAMPLES_DIR}/namespace.yaml`]);
      expect(ns.code, ns.stderr).to.equal(0);
      // Sent in parallel (a few at a time): each is its own kubectl process
      // and its own admission request.
      await mapLimit(cases, 4, async (c) => {
        const rewritten = localArtifacts(c.text);
        const r =
          rewritten === c.text
            ? await kubectl(['apply', '-f', c.path])
            : await kubectl(['apply', '-f', '-'], rewritten);
        results.set(c.file, r);
      });
      const lists = await Promise.all(
        ['payments', 'payments-staging'].map((n) =>
          getJson<{ items: Obj[] }>(['get', 'configmaps,migrationrequests', '-n', n]),
        ),
      );
      existing = new Set(lists.flatMap((l) => l.items).map((o) => `${o.kind}/${o.metadata.name}`));
    });

    it('has good and bad MigrationRequests', () => {
      expect(cases.filter((c) => c.decision === 'ALLOW')).to.have.length.greaterThan(0);
      expect(cases.filter((c) => c.decision === 'BLOCK')).to.have.length.greaterThan(2);
    });

    for (const c of cases) {
      const label = `${c.file}: ${c.decision === 'ALLOW' ? 'created' : `denied [${c.rule ?? '?'}]`}${c.warns ? `, Warning: [${c.warns}]` : ''}`;
      it(label, () => {
        const r = results.get(c.file) as RunResult;
        const out = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
        const key = `${c.kind}/${c.name}`;
        if (c.decision === 'ALLOW') {
          expect(r.code, out).to.equal(0);
          expect(r.stdout, out).to.match(new RegExp(`${escape(c.name)} created`));
          expect(existing.has(key), `${key} exists`).to.equal(true);
        } else {
          expect(r.code, out).to.not.equal(0);
          expect(r.stderr, out).to.match(/Error from server \(Forbidden\)/);
          expect(r.stderr, out).to.include(`admission webhook "${WEBHOOK_OF[c.kind]}" denied the request`);
          // The gate's first line, then its reasons, one per line.
          expect(r.stderr, out).to.match(
            new RegExp(
              `denied the request: migration-gate BLOCKED ${c.kind} ${c.namespace}/${escape(c.name)} \\(${SCENARIO_OF[c.kind]}, request [0-9A-Z]{26}\\)\\n`,
            ),
          );
          expect(r.stderr, out).to.match(new RegExp(`^\\[${escape(c.rule ?? '')}\\] `, 'm'));
          expect(existing.has(key), `${key} must not exist`).to.equal(false);
        }
        if (c.warns) expect(r.stderr, out).to.match(new RegExp(`^Warning: \\[${escape(c.warns)}\\]`, 'm'));
      });
    }

    it('the gate audited every judged case', async () => {
      const names = new Set((await auditRecords(cl.gate)).map((i) => `${i.subject.kind}/${i.subject.name}`));
      for (const c of cases) {
        expect(names.has(`${c.kind}/${c.name}`), `${c.file} audited`).to.equal(true);
      }
    });
  });
});
