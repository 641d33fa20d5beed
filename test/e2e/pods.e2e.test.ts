// The gate as users install it: the image `npm run image` builds, imported
// into a real node (containerd + kubelet, Kubernetes of the same release as
// the apiserver), and `helm install` with the chart's default values (only
// the image is pointed at the imported one). Then, through the apiserver ->
// Service -> pod path: the first applies right after `helm install --wait`
// (Ready means admissions work), every examples/k8s ConfigMap case, every
// MigrationRequest case with the examples as the chart's artifact volume
// (a hostPath on the one node), dry runs, the
// ConfigMap audit sink as the pods' ServiceAccount, selfManaged TLS and a
// forced CA rotation, a rollout restart and a node drain under a stream of
// applies, helm test, helm upgrade, and helm uninstall's pre-delete hook.
//
//   npm run e2e:tools && npx mocha --no-config --node-option import=tsx --timeout 900000 test/e2e/pods.e2e.test.ts
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { expect } from 'chai';
import { NODE_NAME, startPodCluster, type PodCluster } from './harness/node.js';
import type { RunResult } from './harness/exec.js';
import { startApplyStream, type StreamResult } from './support/apply-stream.js';
import {
  CHART_DIR,
  K8S_EXAMPLES_DIR,
  RELEASE,
  RELEASE_NAMESPACE,
  exampleCases,
  mapLimit,
} from './support/gate-cluster.js';
import {
  ensureGateImage,
  gatePods,
  helmInstallDefault,
  imageArgs,
  importGateImage,
  segmentRecords,
  trustExampleKeyArgs,
  type GateImage,
} from './support/pod-gate.js';
import { EXAMPLES_DIR } from './support/local-gate.js';

const SA_USER = `system:serviceaccount:${RELEASE_NAMESPACE}:${RELEASE}`;
const TRUST_EXAMPLE_KEY = trustExampleKeyArgs();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const pems = (bundle: string) =>
  bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** apiserver audit policy: who wrote ConfigMaps in the gate's namespace. */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    namespaces: [${RELEASE_NAMESPACE}]
    resources: [{group: "", resources: [configmaps]}]
    verbs: [create, update, patch, delete]
  - level: Metadata
    resources: [{group: admissionregistration.k8s.io, resources: [validatingwebhookconfigurations]}]
    verbs: [delete]
  - level: None
`;

/** An examples/k8s file under another name (a fresh object, so every apply is a create that is judged). */
function renamedExample(file: string, name: string): string {
  const c = exampleCases().find((x) => x.file === file);
  if (!c) throw new Error(file);
  return c.text.replace(`name: ${c.name}\n`, `name: ${name}\n`);
}

function presentedCert(host: string, port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect(
      { host, port, rejectUnauthorized: false, servername: `${RELEASE}.${RELEASE_NAMESPACE}.svc` },
      () => {
        const raw = s.getPeerCertificate().raw;
        s.end();
        resolve(new X509Certificate(raw));
      },
    );
    s.on('error', reject);
  });
}

async function until(what: string, f: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function expectClean(what: string, r: StreamResult, minApplies: number): void {
  expect(r.badAdmitted, `${what}: bad ConfigMaps admitted`).to.deep.equal([]);
  expect(
    r.goodFailed,
    `${what}: good applies refused (${r.goodFailed.length}), first: ${r.goodFailed.slice(0, 3).join('\n')}`,
  ).to.deep.equal([]);
  expect(r.goodAdmitted + r.badDenied, `${what}: applies judged`).to.be.at.least(minApplies);
}

describe('e2e: real pods, the default helm install of the built image', function () {
  this.timeout(900_000);
  let cl: PodCluster;
  let img: GateImage;
  let auditLog: string;
  let failed = false;
  const kubectl = (args: string[], input?: string) => cl.kubectl(args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await ok([...args, '-o', 'json'])) as T;
  const webhookBundles = async () =>
    (
      await json<{ webhooks: { clientConfig: { caBundle?: string } }[] }>([
        'get',
        'validatingwebhookconfiguration',
        RELEASE,
      ])
    ).webhooks.map((w) => b64(w.clientConfig.caBundle ?? ''));
  /** helm upgrade keeping the release's values, plus `extra`; waits for the rollout. */
  const upgradeReusing = (extra: string[]) =>
    cl.helm(
      [
        'upgrade',
        RELEASE,
        CHART_DIR,
        '-n',
        RELEASE_NAMESPACE,
        '--reuse-values',
        ...extra,
        '--wait',
        '--timeout',
        '5m',
      ],
      { timeoutMs: 360_000 },
    );
  const tlsSecret = () =>
    json<{ data: Record<string, string> }>(['get', 'secret', `${RELEASE}-tls`, '-n', RELEASE_NAMESPACE]);

  let firstApplies: RunResult[] = [];

  before(async function () {
    img = await ensureGateImage();
    const dir = await import('node:os').then((os) => os.tmpdir());
    const policy = join(dir, `mge2e-audit-policy-${process.pid}.yaml`);
    await writeFile(policy, AUDIT_POLICY);
    auditLog = join(dir, `mge2e-apiserver-audit-${process.pid}.log`);
    cl = await startPodCluster({
      controlPlane: { apiserverArgs: [`--audit-policy-file=${policy}`, `--audit-log-path=${auditLog}`] },
    });
    await importGateImage(cl, img);
    await helmInstallDefault(cl, img);
    // Nothing waited for but `helm install --wait`: Ready must mean the
    // apiserver trusts the pods (webhook-ca), so the first applies are judged.
    await ok(['apply', '-f', `${K8S_EXAMPLES_DIR}/namespace.yaml`]);
    firstApplies = [
      await kubectl(['apply', '-f', '-'], renamedExample('plain-configmap.yaml', 'first-after-install')),
      await kubectl(['apply', '-f', '-'], renamedExample('bad-tls-off.yaml', 'second-after-install')),
    ];
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') failed = true;
  });

  after(async () => {
    if (failed && cl) {
      const logs = await kubectl([
        'logs',
        '-n',
        RELEASE_NAMESPACE,
        '-l',
        'app.kubernetes.io/component=webhook',
        '--tail=30',
        '--prefix',
      ]);
      process.stderr.write(`--- gate pods ---\n${logs.stdout}${logs.stderr}\n${await cl.logTails(15)}\n`);
    }
    await cl?.stop();
  });

  describe('helm install with default values', () => {
    it('Ready means admissions work: the first applies right after helm install --wait are judged by the gate', () => {
      const [plain, bad] = firstApplies;
      expect(plain?.code, `first apply: ${plain?.stderr}`).to.equal(0);
      expect(plain?.stdout).to.match(/configmap\/first-after-install created/);
      expect(bad?.code).to.not.equal(0);
      expect(bad?.stderr).to.not.match(/failed calling webhook/);
      expect(bad?.stderr).to.match(
        /migration-gate BLOCKED ConfigMap payments\/second-after-install \(T1, request [0-9A-Z]{26}\)\n/,
      );
    });

    it('/readyz of each pod lists the webhook-ca check, passing', async () => {
      for (const p of await gatePods(cl)) {
        const r = await fetch(`http://${p.ip}:8080/readyz`);
        expect(r.status, p.name).to.equal(200);
        const body = (await r.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
        expect(body.checks['webhook-ca'], p.name).to.deep.equal({
          ok: true,
          detail: `validatingwebhookconfiguration ${RELEASE}: its caBundle verifies the serving certificate`,
        });
      }
    });

    it('both replicas are Ready on the node, from the imported image, without restarts', async () => {
      const pods = await gatePods(cl);
      expect(pods).to.have.length(2);
      for (const p of pods) {
        expect(p.ready, `${p.name} Ready`).to.equal(true);
        expect(p.node).to.equal(NODE_NAME);
        expect(p.image).to.equal(img.ref);
        expect(p.restarts, `${p.name} restarts`).to.equal(0);
      }
    });

    it('the webhooks call the Service (no url), and the apiserver reaches a pod through it', async () => {
      const vwc = await json<{
        webhooks: {
          name: string;
          clientConfig: { url?: string; service?: { name: string; namespace: string } };
        }[];
      }>(['get', 'validatingwebhookconfiguration', RELEASE]);
      for (const w of vwc.webhooks) {
        expect(w.clientConfig.url, w.name).to.equal(undefined);
        expect(w.clientConfig.service, w.name).to.deep.include({
          name: RELEASE,
          namespace: RELEASE_NAMESPACE,
        });
      }
      const r = await kubectl(['apply', '-f', `${K8S_EXAMPLES_DIR}/bad-tls-off.yaml`]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.match(
        /migration-gate BLOCKED ConfigMap payments\/orders-api-bad-tls-off \(T1, request [0-9A-Z]{26}\)/,
      );
    });

    it('selfManaged TLS from inside the pods: the leader made the CA, injected it, and both pods serve a cert from it', async () => {
      const s = await tlsSecret();
      const ca = new X509Certificate(b64(s.data['ca.crt'] ?? ''));
      for (const b of await webhookBundles())
        expect(pems(b).map((p) => new X509Certificate(p).fingerprint256)).to.include(ca.fingerprint256);
      const lease = await json<{ spec: { holderIdentity: string } }>([
        'get',
        'lease',
        `${RELEASE}-leader`,
        '-n',
        RELEASE_NAMESPACE,
      ]);
      const pods = await gatePods(cl);
      expect(pods.map((p) => p.name)).to.include(lease.spec.holderIdentity);
      for (const p of pods) {
        const cert = await presentedCert(p.ip, 8443);
        expect(cert.verify(ca.publicKey), `${p.name} serves a cert signed by the injected CA`).to.equal(true);
        expect(cert.subjectAltName).to.contain(`DNS:${RELEASE}.${RELEASE_NAMESPACE}.svc`);
      }
    });

    it('pins no signing key, so a signed prod config is refused (fail closed) until one is pinned', async () => {
      const r = await kubectl(['apply', '-f', `${K8S_EXAMPLES_DIR}/good-configmap.yaml`]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.match(/^\[signature-invalid\] .*no usable public key is pinned/m);
      // Pin the examples' key: the Secret changes, the pods reload it without a restart.
      const up = await upgradeReusing(TRUST_EXAMPLE_KEY);
      expect(up.code, up.stderr).to.equal(0);
      const uids = (await gatePods(cl)).map((p) => p.uid);
      // Each pod reloads on its own kubelet sync of the Secret volume, and the
      // Service picks a pod at random: one admitted dry-run proves one pod. Ten
      // in a row leave a pod unasked with odds of 2 in 1024.
      await until(
        'both pods reloaded the pinned key',
        async () => {
          for (let i = 0; i < 10; i++) {
            const dry = ['apply', '--dry-run=server', '-f', `${K8S_EXAMPLES_DIR}/good-configmap.yaml`];
            if ((await kubectl(dry)).code !== 0) return false;
          }
          return true;
        },
        180_000,
      );
      expect(
        (await gatePods(cl)).map((p) => p.uid),
        'same pods',
      ).to.deep.equal(uids);
    });
  });

  describe('every examples/k8s ConfigMap case through kubectl apply', () => {
    // MigrationRequests need the artifacts inside the pods (a volume the
    // default values do not mount): they are judged after the upgrade below.
    const cases = exampleCases().filter((c) => c.kind === 'ConfigMap');
    const results = new Map<string, RunResult>();

    before(async () => {
      await mapLimit(cases, 4, async (c) => results.set(c.file, await kubectl(['apply', '-f', c.path])));
    });

    for (const c of cases) {
      it(`${c.file}: ${c.decision === 'ALLOW' ? 'created' : `denied [${c.rule ?? '?'}]`}${c.warns ? `, Warning: [${c.warns}]` : ''}`, async () => {
        const r = results.get(c.file) as RunResult;
        const out = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
        if (c.decision === 'ALLOW') {
          expect(r.code, out).to.equal(0);
          await ok(['get', 'configmap', c.name, '-n', c.namespace]);
        } else {
          expect(r.code, out).to.not.equal(0);
          expect(r.stderr, out).to.match(
            /admission webhook "(staging\.)?configmaps\.migrationgate\.io" denied the request/,
          );
          expect(r.stderr, out).to.match(
            new RegExp(
              `migration-gate BLOCKED ConfigMap ${c.namespace}/${escape(c.name)} \\(T1, request [0-9A-Z]{26}\\)\\n`,
            ),
          );
          expect(r.stderr, out).to.match(new RegExp(`^\\[${escape(c.rule ?? '')}\\] `, 'm'));
          expect((await kubectl(['get', 'configmap', c.name, '-n', c.namespace])).stderr).to.match(
            /NotFound/,
          );
        }
        if (c.warns) expect(r.stderr, out).to.match(new RegExp(`^Warning: \\[${escape(c.warns)}\\]`, 'm'));
      });
    }

    it('the pods audited every judged case into segment ConfigMaps, one chain per pod', async () => {
      await until(
        'audit records flushed',
        async () => {
          const names = new Set((await segmentRecords(cl)).map((r) => r.subject?.name));
          return cases.filter((c) => c.file !== 'plain-configmap.yaml').every((c) => names.has(c.name));
        },
        30_000,
      );
      const writers = new Set((await segmentRecords(cl)).map((r) => r.writer));
      for (const w of writers)
        expect(
          (await gatePods(cl)).map((p) => p.name),
          `writer ${w} is a gate pod`,
        ).to.include(w);
    });

    it("the segments were written by the pods' ServiceAccount (kube-apiserver audit log)", async () => {
      const events = (await readFile(auditLog, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as {
              verb: string;
              user: { username: string };
              objectRef: { name?: string };
              responseStatus?: { code: number };
            },
        );
      const writes = events.filter(
        (e) =>
          e.objectRef.name?.startsWith('migration-gate-audit-') &&
          (e.verb === 'create' || e.verb === 'update'),
      );
      expect(writes.length, 'segment writes seen by the apiserver').to.be.greaterThan(0);
      expect([...new Set(writes.map((e) => e.user.username))]).to.deep.equal([SA_USER]);
    });
  });

  describe('every examples/k8s MigrationRequest case through kubectl apply, artifacts on a volume', () => {
    // The chart's artifact storage (artifacts.volume) as a hostPath of the
    // repository's examples/ on the one node: the examples' file:///artifacts/
    // URLs resolve in the pods exactly as written, nothing rewritten.
    const cases = exampleCases().filter((c) => c.kind === 'MigrationRequest');
    const results = new Map<string, RunResult>();
    let existing = new Set<string>();

    before(async () => {
      const up = await upgradeReusing([
        '--set',
        `artifacts.volume.hostPath.path=${EXAMPLES_DIR}`,
        '--set',
        'artifacts.volume.hostPath.type=Directory',
      ]);
      expect(up.code, up.stderr).to.equal(0);
      // --wait returns once the new pods are Ready; an old one (no artifact
      // mount) may still answer while it drains. Judge with the new ones only.
      await until('only pods with the artifact volume are left', async () => {
        const pods = await json<{ items: { spec: { volumes?: { name: string }[] } }[] }>([
          'get',
          'pods',
          '-n',
          RELEASE_NAMESPACE,
          '-l',
          'app.kubernetes.io/component=webhook',
        ]);
        return (
          pods.items.length === 2 &&
          pods.items.every((p) => p.spec.volumes?.some((v) => v.name === 'artifacts'))
        );
      });
      await mapLimit(cases, 4, async (c) => results.set(c.file, await kubectl(['apply', '-f', c.path])));
      const lists = await Promise.all(
        ['payments', 'payments-staging'].map((n) =>
          json<{ items: { metadata: { name: string } }[] }>(['get', 'migrationrequests', '-n', n]),
        ),
      );
      existing = new Set(lists.flatMap((l) => l.items).map((o) => o.metadata.name));
    });

    it('the pods mount the artifact root read-only and set GATE_ARTIFACT_ROOT', async () => {
      const d = await json<{
        spec: {
          template: {
            spec: {
              volumes: { name: string; hostPath?: { path: string } }[];
              containers: {
                env?: { name: string; value?: string }[];
                volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
              }[];
            };
          };
        };
      }>(['get', 'deployment', RELEASE, '-n', RELEASE_NAMESPACE]);
      const pod = d.spec.template.spec;
      expect(pod.volumes.find((v) => v.name === 'artifacts')?.hostPath?.path).to.equal(EXAMPLES_DIR);
      const gate = pod.containers[0];
      expect(gate?.env?.find((e) => e.name === 'GATE_ARTIFACT_ROOT')?.value).to.equal('/artifacts');
      expect(gate?.volumeMounts?.find((m) => m.name === 'artifacts')).to.deep.include({
        mountPath: '/artifacts',
        readOnly: true,
      });
    });

    it('has good and bad MigrationRequests', () => {
      expect(cases.filter((c) => c.decision === 'ALLOW')).to.have.length.greaterThan(0);
      expect(cases.filter((c) => c.decision === 'BLOCK')).to.have.length.greaterThan(2);
    });

    for (const c of cases) {
      it(`${c.file}: ${c.decision === 'ALLOW' ? 'created' : `denied [${c.rule ?? '?'}]`}${c.warns ? `, Warning: [${c.warns}]` : ''}`, () => {
        const r = results.get(c.file) as RunResult;
        const out = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
        if (c.decision === 'ALLOW') {
          expect(r.code, out).to.equal(0);
          expect(r.stdout, out).to.match(new RegExp(`${escape(c.name)} created`));
          expect(existing.has(c.name), `${c.name} exists`).to.equal(true);
        } else {
          expect(r.code, out).to.not.equal(0);
          expect(r.stderr, out).to.match(/Error from server \(Forbidden\)/);
          expect(r.stderr, out).to.match(
            /admission webhook "(staging\.)?migrationrequests\.migrationgate\.io" denied the request/,
          );
          expect(r.stderr, out).to.match(
            new RegExp(
              `denied the request: migration-gate BLOCKED MigrationRequest ${c.namespace}/${escape(c.name)} \\(T2, request [0-9A-Z]{26}\\)\\n`,
            ),
          );
          expect(r.stderr, out).to.match(new RegExp(`^\\[${escape(c.rule ?? '')}\\] `, 'm'));
          expect(existing.has(c.name), `${c.name} must not exist`).to.equal(false);
        }
        if (c.warns) expect(r.stderr, out).to.match(new RegExp(`^Warning: \\[${escape(c.warns)}\\]`, 'm'));
      });
    }

    it('the pods audited every judged MigrationRequest into their segments', async () => {
      await until(
        'MigrationRequest audit records flushed',
        async () => {
          const names = new Set(
            (await segmentRecords(cl))
              .filter((r) => r.subject?.kind === 'MigrationRequest')
              .map((r) => r.subject?.name),
          );
          return cases.every((c) => names.has(c.name));
        },
        30_000,
      );
    });
  });

  describe('dry run, RBAC', () => {
    const renamed = renamedExample;
    const recordsFor = async (name: string) =>
      (await segmentRecords(cl)).filter((r) => r.subject?.name === name);

    it('--dry-run=server of a bad ConfigMap is denied with the reason and writes no audit record', async () => {
      const name = 'pods-dry-run-bad';
      const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], renamed('bad-tls-off.yaml', name));
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.match(/^\[prod-requires-tls\] /m);
      const g = await kubectl(
        ['apply', '--dry-run=server', '-f', '-'],
        renamed('good-configmap.yaml', 'pods-dry-run-good'),
      );
      expect(g.code, g.stderr).to.equal(0);
      // A real apply afterwards is recorded: had the dry runs been, they would show by now.
      await ok(['apply', '-f', '-'], renamed('good-configmap.yaml', 'pods-after-dry-run'));
      await until(
        'the real apply audited',
        async () => (await recordsFor('pods-after-dry-run')).length === 1,
        30_000,
      );
      expect(await recordsFor(name)).to.deep.equal([]);
      expect(await recordsFor('pods-dry-run-good')).to.deep.equal([]);
    });

    it("the pods' ServiceAccount cannot delete an audit segment (403 from the apiserver)", async () => {
      const seg = (
        await ok([
          'get',
          'configmaps',
          '-n',
          RELEASE_NAMESPACE,
          '-l',
          'migrationgate.io/audit-segment=true',
          '-o',
          'name',
        ])
      ).split('\n')[0];
      expect(seg).to.match(/^configmap\/migration-gate-audit-/);
      const r = await kubectl(['delete', seg ?? '', '-n', RELEASE_NAMESPACE, '--as', SA_USER]);
      expect(r.code).to.not.equal(0);
      expect(r.stderr)
        .to.match(/Forbidden/)
        .and.to.include('cannot delete resource "configmaps"');
      await ok(['get', seg ?? '', '-n', RELEASE_NAMESPACE]);
    });
  });

  describe('disruption under a stream of applies', () => {
    it('a forced CA rotation: the new CA joins the bundle, both pods move to a cert from it, no admission fails', async () => {
      const before = await tlsSecret();
      const oldCa = b64(before.data['ca.crt'] ?? '');
      const stream = startApplyStream(cl, 'rotation');
      let res: StreamResult;
      try {
        await ok([
          'annotate',
          'secret',
          `${RELEASE}-tls`,
          '-n',
          RELEASE_NAMESPACE,
          'migrationgate.io/rotate-ca=now',
        ]);
        await until('old+new CA in every webhook', async () =>
          (await webhookBundles()).every((b) => pems(b).length === 2),
        );
        const newCa = new X509Certificate(b64((await tlsSecret()).data['ca.crt'] ?? ''));
        expect(newCa.toString()).to.not.equal(new X509Certificate(oldCa).toString());
        // The serving cert moves after the overlap (2 min by default), and every pod hot-reloads it.
        await until(
          'both pods serve a cert from the new CA',
          async () => {
            const certs = await Promise.all((await gatePods(cl)).map((p) => presentedCert(p.ip, 8443)));
            return certs.length === 2 && certs.every((c) => c.verify(newCa.publicKey));
          },
          300_000,
        );
      } finally {
        res = await stream.stop();
      }
      expectClean('CA rotation', res, 20);
      // (Dropping the old CA from the bundle comes 10 min later by default:
      // tls-self-managed.e2e.test.ts proves that step with short timings.)
    });

    it('kubectl rollout restart: new pods replace both, 0 bad admitted, 0 good refused', async () => {
      const oldUids = (await gatePods(cl)).map((p) => p.uid);
      const stream = startApplyStream(cl, 'restart');
      let res: StreamResult;
      try {
        await ok(['rollout', 'restart', `deployment/${RELEASE}`, '-n', RELEASE_NAMESPACE]);
        const st = await kubectl([
          'rollout',
          'status',
          `deployment/${RELEASE}`,
          '-n',
          RELEASE_NAMESPACE,
          '--timeout=300s',
        ]);
        expect(st.code, st.stderr).to.equal(0);
        await until('old pods gone', async () =>
          (await gatePods(cl)).every((p) => !oldUids.includes(p.uid) && p.ready),
        );
      } finally {
        res = await stream.stop();
      }
      expectClean('rollout restart', res, 10);
      expect(await gatePods(cl)).to.have.length(2);
    });

    it('a node drain (one node: cordon + evict): the PDB keeps one gate pod serving, 0 bad admitted, 0 good refused', async () => {
      const stream = startApplyStream(cl, 'drain');
      let res: StreamResult;
      let drain: RunResult;
      try {
        // The first eviction succeeds (2 -> 1 available); its replacement
        // cannot schedule on the cordoned node, so the PDB (minAvailable 1)
        // refuses the second eviction until the timeout.
        drain = await kubectl([
          'drain',
          NODE_NAME,
          '--ignore-daemonsets',
          '--delete-emptydir-data',
          '--timeout=45s',
          `--pod-selector=app.kubernetes.io/component=webhook`,
        ]);
        const pods = await gatePods(cl);
        expect(
          pods.filter((p) => p.ready),
          'gate pods still serving',
        ).to.have.length(1);
      } finally {
        res = await stream.stop();
        await ok(['uncordon', NODE_NAME]);
      }
      expect(drain.code, 'drain cannot finish on one node').to.not.equal(0);
      expect(drain.stdout + drain.stderr).to.match(/disruption budget/i);
      expectClean('drain', res, 10);
      await until(
        'both replicas Ready after uncordon',
        async () => (await gatePods(cl)).filter((p) => p.ready).length === 2,
        180_000,
      );
    });
  });

  describe('helm lifecycle', () => {
    it('helm test passes', async () => {
      const r = await cl.helm(['test', RELEASE, '-n', RELEASE_NAMESPACE, '--timeout', '3m', '--logs'], {
        timeoutMs: 240_000,
      });
      expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout).to.match(/Phase:\s+Succeeded/);
    });

    it('helm upgrade to changed values rolls the pods and the new values take effect', async () => {
      const r = await cl.helm(
        [
          'upgrade',
          RELEASE,
          CHART_DIR,
          '-n',
          RELEASE_NAMESPACE,
          ...imageArgs(img),
          ...TRUST_EXAMPLE_KEY,
          '--set',
          'webhook.excludedNamespaces={payments-staging}',
          '--set',
          'webhook.timeoutSeconds=7',
          '--wait',
          '--timeout',
          '5m',
        ],
        { timeoutMs: 360_000 },
      );
      expect(r.code, r.stderr).to.equal(0);
      const vwc = await json<{ webhooks: { timeoutSeconds: number }[] }>([
        'get',
        'validatingwebhookconfiguration',
        RELEASE,
      ]);
      for (const w of vwc.webhooks) expect(w.timeoutSeconds).to.equal(7);
      // payments-staging is no longer judged: a gated key without a manifest passes there, and still fails in payments.
      const cm = (ns: string) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'after-upgrade', namespace: ns },
          data: { 'app-config.yaml': 'debug: true\n' },
        });
      await until(
        'the excluded namespace is not sent to the gate',
        async () => (await kubectl(['apply', '-f', '-'], cm('payments-staging'))).code === 0,
        60_000,
      );
      const denied = await kubectl(['apply', '-f', '-'], cm('payments'));
      expect(denied.code).to.not.equal(0);
      expect(denied.stderr).to.include('migration-gate BLOCKED');
      await until(
        'both replicas Ready',
        async () => (await gatePods(cl)).filter((p) => p.ready).length === 2,
        180_000,
      );
    });

    it('helm uninstall: the pre-delete Job removes the webhook configuration, the CRD stays, writes are no longer gated', async () => {
      const r = await cl.helm(['uninstall', RELEASE, '-n', RELEASE_NAMESPACE, '--wait', '--timeout', '3m'], {
        timeoutMs: 240_000,
      });
      expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect((await kubectl(['get', 'validatingwebhookconfiguration', RELEASE])).stderr).to.match(/NotFound/);
      // Deleted by the hook's own ServiceAccount, before helm deleted the release's objects.
      const deletes = (await readFile(auditLog, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as {
              verb: string;
              user: { username: string };
              objectRef: { resource: string; name?: string };
              responseStatus?: { code: number };
            },
        )
        .filter(
          (e) =>
            e.verb === 'delete' &&
            e.objectRef.resource === 'validatingwebhookconfigurations' &&
            e.objectRef.name === RELEASE,
        );
      const first = deletes.find((e) => e.responseStatus?.code === 200);
      expect(first?.user.username, JSON.stringify(deletes)).to.equal(
        `system:serviceaccount:${RELEASE_NAMESPACE}:${RELEASE}-cleanup`,
      );
      await ok(['get', 'crd', 'migrationrequests.migrationgate.io']);
      const after = await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'after-uninstall', namespace: 'payments' },
          data: { 'app-config.yaml': 'debug: true\n' },
        }),
      );
      expect(after.code, after.stderr).to.equal(0);
      await until('gate pods gone', async () => (await gatePods(cl)).length === 0, 120_000);
    });
  });
});
