// Background audit against a real kube-apiserver: a bad ConfigMap that was
// created before its namespace was enforced shows up as a `fail` in the
// namespace's OpenReports Report, written by a gate that runs with the
// chart's ServiceAccount (least privilege: list, and write Reports only).
//
//   npx mocha --config test/e2e/.mocharc.json test/e2e/background-audit.e2e.test.ts
import { expect } from 'chai';
import path from 'node:path';
import {
  exampleCases,
  localArtifacts,
  RELEASE,
  RELEASE_NAMESPACE,
  startGateCluster,
  type GateCluster,
} from './support/gate-cluster.js';
import { startLocalGate, type LocalGate } from './support/local-gate.js';

const NS = 'legacy';
type Report = {
  metadata: { annotations?: Record<string, string> };
  summary: Record<string, number>;
  results: Array<{ rule: string; result: string; resources: Array<{ name: string; namespace: string }> }>;
};

describe('e2e: background audit writes OpenReports for objects that predate enforcement', function () {
  let cl: GateCluster;
  let auditor: LocalGate | undefined;
  const bad = () => exampleCases().find((c) => c.file === 'bad-tls-off.yaml')!;

  before(async () => {
    cl = await startGateCluster({
      helmArgs: [
        '--set',
        'backgroundAudit.enabled=true',
        '--set',
        'backgroundAudit.installReportCRD=true',
        '--set',
        'backgroundAudit.intervalSeconds=10',
      ],
    });
    // Before enforcement: no webhook matches an unlabelled namespace, so the bad config is created.
    expect((await cl.cp.kubectl(['create', 'namespace', NS])).code).to.equal(0);
    const c = bad();
    const created = await cl.cp.kubectl(['apply', '-f', '-'], {
      input: localArtifacts(c.text.replace(`namespace: ${c.namespace}\n`, `namespace: ${NS}\n`)),
    });
    expect(created.code, created.stderr).to.equal(0);
    expect((await cl.cp.kubectl(['label', 'namespace', NS, 'migrationgate.io/enforce=true'])).code).to.equal(
      0,
    );
    const crd = await cl.cp.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/reports.openreports.io',
    ]);
    expect(crd.code, crd.stderr).to.equal(0);
    // The auditing gate runs as the chart's ServiceAccount, with the chart's RBAC and nothing more.
    const kubeconfig = await cl.cp.mintServiceAccountKubeconfig(RELEASE_NAMESPACE, RELEASE);
    auditor = await startLocalGate({
      env: {
        GATE_KUBECONFIG: kubeconfig,
        GATE_NAMESPACE: RELEASE_NAMESPACE,
        GATE_BACKGROUND_AUDIT_INTERVAL_SECONDS: '2',
        GATE_ARTIFACT_ROOT: path.resolve('examples'),
      },
    });
  });
  after(async () => {
    await auditor?.stop();
    await cl?.stop();
  });

  async function report(): Promise<Report> {
    for (let i = 0; i < 120; i++) {
      const r = await cl.cp.kubectl([
        'get',
        'reports.openreports.io',
        '-n',
        NS,
        'migration-gate',
        '-o',
        'json',
      ]);
      if (r.code === 0) return JSON.parse(r.stdout) as Report;
      await new Promise((res) => setTimeout(res, 500));
    }
    throw new Error(`no Report in ${NS}`);
  }

  it("the pre-existing bad ConfigMap is a fail [prod-requires-tls] in the namespace's Report", async () => {
    const rep = await report();
    const mine = rep.results.filter((r) => r.resources[0]?.name === bad().name);
    expect(mine.find((r) => r.rule === 'prod-requires-tls')).to.deep.include({ result: 'fail' });
    expect(mine[0]!.resources[0]!.namespace).to.equal(NS);
    expect(rep.summary.fail).to.be.greaterThan(0);
    expect(rep.metadata.annotations?.['migrationgate.io/policy-digest']).to.match(/^sha256:/);
  });

  it("as metrics: the last run's fail count", async () => {
    const text = await (await fetch(`${auditor!.apiUrl}/metrics`)).text();
    const fail = /^migration_gate_background_audit_results\{result="fail"\} (\d+)$/m.exec(text);
    expect(Number(fail?.[1])).to.be.greaterThan(0);
  });

  it('least privilege: the ServiceAccount lists configmaps and writes reports, and cannot delete reports, read secrets or patch configmaps', async () => {
    const sa = `system:serviceaccount:${RELEASE_NAMESPACE}:${RELEASE}`;
    const can = async (...args: string[]) =>
      (await cl.cp.kubectl(['auth', 'can-i', ...args, '-n', NS, '--as', sa])).stdout.trim();
    expect(await can('list', 'configmaps')).to.equal('yes');
    expect(await can('update', 'reports.openreports.io')).to.equal('yes');
    expect(await can('delete', 'reports.openreports.io')).to.equal('no');
    expect(await can('get', 'secrets')).to.equal('no');
    expect(await can('patch', 'configmaps')).to.equal('no');
    expect(await can('update', 'configmaps')).to.equal('no');
  });
});
