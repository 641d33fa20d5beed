// Fail closed, for real: a stream of `kubectl create` of gated ConfigMaps
// (~5/s) through a real kube-apiserver whose ValidatingWebhookConfiguration
// (installed by the chart, failurePolicy Fail) points at the real gate
// process. Part-way through, the gate is SIGKILLed: every apply made while it
// is down is refused by the apiserver ("failed calling webhook"), none is
// admitted unchecked; restarted on the same data and TLS dirs (same CA, so
// the caBundle stays valid), it admits again, and its audit log holds a
// record of every ConfigMap that exists.
//
//   npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/gate-outage.e2e.test.ts
import { expect } from 'chai';
import {
  K8S_EXAMPLES_DIR,
  exampleCases,
  startGateCluster,
  type ExampleCase,
  type GateCluster,
  stopClusterAfterSuite,
} from './support/gate-cluster.js';
import { auditRecords } from './support/local-gate.js';

const NS = 'payments';
const PREFIX = 'stream-';
const INTERVAL_MS = 200; // ~5 applies per second
const BEFORE_KILL = 10;
const WHILE_DOWN = 10;
const AFTER_BACK = 10;
const RESTART_INTERVAL_MS = 500;

interface Apply {
  i: number;
  name: string;
  phase: 'up' | 'down' | 'restarting' | 'back';
  start: number;
  end: number;
  code: number;
  stdout: string;
  stderr: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('e2e: the gate stops under a stream of applies (failurePolicy Fail)', function () {
  this.timeout(300_000);
  let cl: GateCluster;
  let template: ExampleCase;
  const applies: Apply[] = [];
  const timeline = { downFrom: 0, downUntil: 0, backAt: 0 };

  before(async () => {
    cl = await startGateCluster();
    template = exampleCases().find((c) => c.file === 'good-configmap.yaml') as ExampleCase;
    const ns = await cl.cp.kubectl(['apply', '-f', `${K8S_EXAMPLES_DIR}/namespace.yaml`]);
    expect(ns.code, ns.stderr).to.equal(0);
  });

  stopClusterAfterSuite(() => cl);

  it('refuses every apply while the gate is down and admits again once it is back', async () => {
    const pending: Promise<void>[] = [];
    const inFlight = () => applies.filter((a) => a.code === -1).length;
    let phase: Apply['phase'] = 'up';
    const launch = () => {
      const i = applies.length;
      const name = `${PREFIX}${String(i).padStart(3, '0')}`;
      const a: Apply = { i, name, phase, start: Date.now(), end: 0, code: -1, stdout: '', stderr: '' };
      applies.push(a);
      const manifest = template.text.replace(`name: ${template.name}\n`, `name: ${name}\n`);
      pending.push(
        cl.cp.kubectl(['create', '-f', '-'], { input: manifest, timeoutMs: 60_000 }).then((r) => {
          Object.assign(a, { end: Date.now(), code: r.code, stdout: r.stdout, stderr: r.stderr });
        }),
      );
    };
    const stream = async (n: number) => {
      for (let k = 0; k < n; k++) {
        launch();
        await sleep(INTERVAL_MS);
      }
    };

    // 1. Gate up.
    await stream(BEFORE_KILL);
    await Promise.all(pending);

    // 2. Gate killed (no graceful shutdown), applies keep coming.
    await cl.gate.kill('SIGKILL');
    expect(cl.gate.running()).to.equal(false);
    timeline.downFrom = Date.now();
    phase = 'down';
    await stream(WHILE_DOWN);
    await Promise.all(pending); // each of these ran start to end while the gate was down
    timeline.downUntil = Date.now();

    // 3. Restarted on the same data dir, TLS dir and port; applies keep coming meanwhile.
    phase = 'restarting';
    let back = false;
    const restarted = cl.gate.restart().finally(() => {
      back = true;
    });
    // Slower while the gate starts (node + tsx load the whole app, seconds on
    // a busy 2-vCPU machine): a flood of kubectl processes would only starve it.
    while (!back) {
      if (inFlight() < 2) launch();
      await sleep(RESTART_INTERVAL_MS);
    }
    await restarted;
    timeline.backAt = Date.now();

    // 4. Back.
    phase = 'back';
    await stream(AFTER_BACK);
    await Promise.all(pending);
    const count = (p: Apply['phase']) =>
      `${applies.filter((a) => a.phase === p && a.code === 0).length}/${applies.filter((a) => a.phase === p).length}`;
    const ms = (a: Apply) => a.end - a.start;
    console.log(
      `      stream: ${applies.length} applies, admitted up ${count('up')}, down ${count('down')}, restarting ${count('restarting')}, back ${count('back')}; ` +
        `outage ${timeline.backAt - timeline.downFrom} ms (restart ${timeline.backAt - timeline.downUntil} ms); ` +
        `kubectl create ${Math.min(...applies.map(ms))}..${Math.max(...applies.map(ms))} ms`,
    );

    const show = (a: Apply) =>
      `#${a.i} ${a.name} (${a.phase}, ${a.start - timeline.downFrom} ms .. ${a.end - timeline.downFrom} ms): exit ${a.code}\n${a.stderr || a.stdout}`;
    const refusedByApiserver = (a: Apply) =>
      a.code !== 0 &&
      /Internal error occurred: failed calling webhook "configmaps\.migrationgate\.io"/.test(a.stderr) &&
      /connection refused/.test(a.stderr);

    // Before the kill and after the gate is back: every apply admitted.
    for (const a of applies.filter((x) => x.phase === 'up' || x.start >= timeline.backAt)) {
      expect(a.code, show(a)).to.equal(0);
      expect(a.stdout, show(a)).to.include(`configmap/${a.name} created`);
    }
    // Entirely inside the outage: every apply refused by the apiserver itself.
    const inOutage = applies.filter((x) => x.start >= timeline.downFrom && x.end <= timeline.downUntil);
    expect(inOutage.length, 'applies made while the gate was down').to.be.at.least(WHILE_DOWN - 2);
    for (const a of inOutage) expect(refusedByApiserver(a), show(a)).to.equal(true);
    // Around the restart either answer is fine, but a failure is only ever the webhook call failing.
    for (const a of applies.filter((x) => x.code !== 0))
      expect(refusedByApiserver(a), show(a)).to.equal(true);
    expect(applies.filter((x) => x.phase === 'up' || x.phase === 'back').length).to.equal(
      BEFORE_KILL + AFTER_BACK,
    );
    expect(applies.length).to.be.at.least(BEFORE_KILL + WHILE_DOWN + AFTER_BACK);
  });

  it("none was admitted unchecked: exactly the admitted ConfigMaps exist, each with the gate's ALLOW record", async () => {
    expect(applies.length, 'the stream ran').to.be.greaterThan(0);
    const list = await cl.cp.kubectl(['get', 'configmaps', '-n', NS, '-o', 'json']);
    expect(list.code, list.stderr).to.equal(0);
    const stored = (JSON.parse(list.stdout) as { items: { metadata: { name: string } }[] }).items
      .map((o) => o.metadata.name)
      .filter((n) => n.startsWith(PREFIX))
      .sort();
    const admitted = applies
      .filter((a) => a.code === 0)
      .map((a) => a.name)
      .sort();
    expect(stored).to.deep.equal(admitted);
    expect(
      applies.filter((a) => a.start >= timeline.downFrom && a.end <= timeline.downUntil).map((a) => a.name),
    ).to.not.include.oneOf(stored);

    // The restarted gate reads the same audit file: the records from before the kill are still there.
    const records = await auditRecords(cl.gate);
    const allowed = new Set(
      records
        .filter((r) => r.decision === 'ALLOW' && r.subject.source === 'webhook')
        .map((r) => r.subject.name),
    );
    for (const name of stored) expect(allowed.has(name), `${name} has an ALLOW audit record`).to.equal(true);
    for (const a of applies.filter((x) => x.code !== 0))
      expect(allowed.has(a.name), `${a.name} was refused yet audited ALLOW`).to.equal(false);
  });

  it('the audit chain still verifies after the SIGKILL and restart', async () => {
    const res = await fetch(`${cl.gate.apiUrl}/api/v1/audit/verify`, { headers: cl.gate.auth });
    const body = (await res.json()) as { ok: boolean; records: number };
    expect(res.status, JSON.stringify(body)).to.equal(200);
    expect(body.ok, JSON.stringify(body)).to.equal(true);
    expect(body.records).to.be.at.least(BEFORE_KILL + AFTER_BACK);
  });
});
