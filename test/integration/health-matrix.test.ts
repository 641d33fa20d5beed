// The health matrix (README "Health and alerts"), one row per test: for each
// condition, what /readyz says, which alert fires, what is logged and what
// the overview shows, and that they agree. Plus what makes alerts alerts:
// ordinary BLOCKs are not alerts; an alert is deduplicated, acknowledged
// (who, when, why: audited), the same on every replica, and survives a
// restart, because its transitions are records in the audit store.
import { expect } from 'chai';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, postJson, startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { exampleJsonBody } from '../support/signed-t1.js';
import { captureLogger } from '../support/capture-logger.js';
import { SharedAuditStore } from '../support/shared-audit-store.js';
import { t2Form } from '../support/t2-upload.js';

const cookie = { cookie: `mg_session=${TEST_TOKEN}` };

function t1(dir: string): { manifest: Record<string, unknown>; config: string } {
  return {
    manifest: JSON.parse(readFileSync(`examples/${dir}/migration_manifest.json`, 'utf8')) as Record<
      string,
      unknown
    >,
    config: readFileSync(`examples/${dir}/app-config.yaml`, 'utf8'),
  };
}

async function overview(gate: RunningGate): Promise<string> {
  const res = await fetch(`${gate.url}/`, { headers: cookie });
  expect(res.status).to.equal(200);
  return res.text();
}

async function ready(gate: RunningGate): Promise<{
  status: number;
  body: { checks: Record<string, { ok: boolean; detail: string }>; alerts?: Record<string, unknown> };
}> {
  const res = await fetch(`${gate.url}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function postT2(
  gate: RunningGate,
  dir: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gate.url}/api/v1/validate/replication`, {
    method: 'POST',
    headers: gate.auth,
    body: t2Form(dir),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function alertRecords(
  store: SharedAuditStore,
  key: string,
): Array<{ transition: string; by?: string; why?: string; writer: string }> {
  return store.lines
    .map(
      (l) =>
        JSON.parse(l.text) as {
          record_type?: string;
          key?: string;
          transition: string;
          by?: string;
          why?: string;
          writer: string;
        },
    )
    .filter((r) => r.record_type === 'alert' && r.key === key);
}

describe('health matrix and alerts', function () {
  this.timeout(60_000);

  it('ordinary BLOCKs are decisions: no alert, one structured log line each with ids and rule ids, never a value', async () => {
    const logger = captureLogger();
    const gate = await startGate({}, { logger });
    try {
      await gate.app.auditSnapshots.refresh();
      await postJson(gate, '/api/v1/validate/migration', t1('t1_bad/tls-off-prod'));
      const secret = await postJson(gate, '/api/v1/validate/migration', t1('t1_bad/inline-secret'), {
        'x-request-id': 'ci-run-42',
      });
      expect(secret.body.decision).to.equal('BLOCK');
      expect(gate.app.gate.alerts.list()).to.deep.equal([]);
      expect((await getJson(gate, '/api/v1/alerts')).body.items).to.deep.equal([]);
      const decisions = logger.lines.filter((l) => l.msg === 'decision');
      expect(decisions).to.have.length(2);
      const line = decisions[1]!.fields;
      expect(line).to.include({
        request_id: secret.body.request_id,
        correlation_id: 'ci-run-42',
        scenario: 'T1',
        decision: 'BLOCK',
        via: 'api',
      });
      expect(line.rules).to.include('no-inline-secrets');
      expect(line.subject).to.include({ app_id: 'orders-api', env: 'prod' });
      // The password in the config, and the reasons' text, stay out of the log.
      const all = JSON.stringify(logger.lines);
      expect(all).to.not.contain('Tr0ub4dor');
      expect(all).to.not.contain('must be');
      expect(await overview(gate)).to.contain('no alerts firing');
    } finally {
      await gate.stop();
    }
  });

  it('policy reload refused: every replica stays ready (last good set in force), policy-load fires once, is logged and shown, and resolves when fixed', async () => {
    const logger = captureLogger();
    const gate = await startGate({}, { logger });
    try {
      await gate.app.auditSnapshots.refresh();
      const file = path.join(gate.policyDir, 'baseline.yaml');
      const good = readFileSync(file, 'utf8');
      appendFileSync(file, '\n  - id: broken\n    expresion: "true"\n');
      await until(() => gate.app.gate.alerts.list().some((a) => a.key === 'policy-load'), 'policy-load');
      appendFileSync(file, '\n# touched again, still broken\n');
      await new Promise((r) => setTimeout(r, 600));
      const r = await ready(gate);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.checks.policies!.ok).to.equal(true);
      expect(r.body.alerts).to.have.property('policy-load');
      expect(
        logger.lines.filter((l) => l.msg === 'alert fired' && l.fields.alert_key === 'policy-load'),
      ).to.have.length(1);
      const page = await overview(gate);
      expect(page).to.contain('policy-load');
      expect(page).to.match(/<p class="status-ok">Ready<\/p>/);
      writeFileSync(file, good);
      await until(
        () => !gate.app.gate.alerts.list().some((a) => a.key === 'policy-load'),
        'policy-load to resolve',
      );
      expect(
        logger.lines.some((l) => l.msg === 'alert resolved' && l.fields.alert_key === 'policy-load'),
      ).to.equal(true);
      expect(gate.app.gate.alerts.get('policy-load')?.status).to.equal('resolved');
    } finally {
      await gate.stop();
    }
  });

  it('audit chain broken: still ready (new records are still recorded), and overview, alert, readyz and log all say so', async () => {
    const logger = captureLogger();
    const gate = await startGate({}, { logger });
    try {
      for (let i = 0; i < 3; i++)
        await postJson(gate, '/api/v1/validate/migration', exampleJsonBody('t1_good'));
      const file = path.join(gate.dataDir, 'audit.jsonl');
      const lines = readFileSync(file, 'utf8').split('\n');
      lines[1] = lines[1]!.replace('"decision":"ALLOW"', '"decision":"ALLOX"');
      writeFileSync(file, lines.join('\n'));
      await gate.app.auditSnapshots.refresh();
      const r = await ready(gate);
      expect(r.status).to.equal(200);
      expect(r.body.alerts).to.have.property('audit-chain');
      const page = await overview(gate);
      expect(page).to.contain('BROKEN');
      expect(page).to.match(/alerts? firing: [^<]*audit-chain/);
      expect(
        logger.lines.some(
          (l) =>
            l.msg === 'alert fired' &&
            l.fields.alert_key === 'audit-chain' &&
            l.fields.severity === 'critical',
        ),
      ).to.equal(true);
      const alerts = await getJson(gate, '/api/v1/alerts');
      expect(JSON.stringify(alerts.body.items)).to.contain('audit chain broken at audit.jsonl:2');
      // A second walk finds the same break: still one alert, one transition.
      await gate.app.auditSnapshots.refresh();
      expect(
        logger.lines.filter((l) => l.msg === 'alert fired' && l.fields.alert_key === 'audit-chain'),
      ).to.have.length(1);
    } finally {
      await gate.stop();
    }
  });

  it('audit store failing: not ready (cannot record), audit-sink/<writer> fires and is logged; its transitions reach the store once it recovers', async () => {
    const store = new SharedAuditStore();
    const logger = captureLogger();
    const gate = await startGate({}, { auditSink: store.sink('pod-a'), writerId: 'pod-a', logger });
    try {
      await gate.app.auditSnapshots.refresh();
      store.failing = true;
      const blocked = await postJson(gate, '/api/v1/validate/migration', exampleJsonBody('t1_good'));
      expect(blocked.body.decision).to.equal('BLOCK');
      const r = await ready(gate);
      expect(r.status).to.equal(503);
      expect(r.body.checks.audit!.ok).to.equal(false);
      expect(r.body.alerts).to.have.property('audit-sink/pod-a');
      expect(
        logger.lines.some((l) => l.msg === 'alert fired' && l.fields.alert_key === 'audit-sink/pod-a'),
      ).to.equal(true);
      expect(await overview(gate)).to.contain('audit-sink/pod-a');
      expect(gate.app.gate.alerts.pending).to.be.greaterThan(0);
      store.failing = false;
      const ok = await postJson(gate, '/api/v1/validate/migration', exampleJsonBody('t1_good'));
      expect(ok.body.decision).to.equal('ALLOW');
      await until(() => gate.app.gate.alerts.pending === 0, 'pending alert transitions to be written');
      expect(alertRecords(store, 'audit-sink/pod-a').map((e) => e.transition)).to.deep.equal([
        'fire',
        'resolve',
      ]);
      expect((await ready(gate)).status).to.equal(200);
    } finally {
      await gate.stop();
    }
  });

  it('a tampered snapshot is one integrity incident per snapshot, the same on every replica, acknowledged with who and why, and still there after a restart', async () => {
    const store = new SharedAuditStore();
    let a = await startGate({}, { auditSink: store.sink('pod-a'), writerId: 'pod-a' });
    const b = await startGate({}, { auditSink: store.sink('pod-b'), writerId: 'pod-b' });
    try {
      await a.app.auditSnapshots.refresh();
      await b.app.auditSnapshots.refresh();
      for (let i = 0; i < 2; i++)
        expect((await postT2(a, 'examples/t2_bad/tampered-data-file')).body.decision).to.equal('BLOCK');
      // A config that merely breaks a rule is not an incident.
      await postT2(a, 'examples/t2_bad/unsigned-prod');
      const onA = a.app.gate.alerts.list();
      expect(onA.map((x) => x.kind)).to.deep.equal(['snapshot-integrity']);
      const key = onA[0]!.key;
      expect(key).to.match(/^snapshot-integrity\//);
      expect(alertRecords(store, key).filter((e) => e.transition === 'fire')).to.have.length(1);
      // The other replica reads the same store: the same alert.
      await b.app.auditSnapshots.refresh();
      expect((await getJson(b, '/api/v1/alerts')).body.items).to.deep.equal(
        (await getJson(a, '/api/v1/alerts')).body.items,
      );
      // Acknowledged on B: who (the token's principal), when, why; written to the store.
      const bad = await postJson(b, '/api/v1/alerts/acknowledge', { key, reason: '' });
      expect(bad.status).to.equal(400);
      const missing = await postJson(b, '/api/v1/alerts/acknowledge', { key: 'policy-load', reason: 'x' });
      expect(missing.status).to.equal(404);
      const ack = await postJson(b, '/api/v1/alerts/acknowledge', {
        key,
        reason: 'restoring from the previous backup',
      });
      expect(ack.status).to.equal(200);
      expect(ack.body.acknowledged).to.include({
        by: 'api-token',
        why: 'restoring from the previous backup',
      });
      expect(alertRecords(store, key).find((e) => e.transition === 'acknowledge')).to.include({
        writer: 'pod-b',
        by: 'api-token',
      });
      await a.app.auditSnapshots.refresh();
      expect(a.app.gate.alerts.get(key)?.acknowledged?.why).to.equal('restoring from the previous backup');
      // Restart A: the alert, and its acknowledgement, come back from the store; nothing fires again.
      await a.stop();
      a = await startGate({}, { auditSink: store.sink('pod-a'), writerId: 'pod-a' });
      await a.app.auditSnapshots.refresh();
      const back = a.app.gate.alerts.get(key);
      expect(back).to.include({ status: 'firing' });
      expect(back?.acknowledged?.by).to.equal('api-token');
      expect(alertRecords(store, key).filter((e) => e.transition === 'fire')).to.have.length(1);
      // Decisions counted on the overview do not include alert records.
      const snap = (await a.app.auditSnapshots.refresh()).snapshot!;
      expect(snap.lastHour.allow + snap.lastHour.block).to.equal(3);
      // Resolved by a person: gone from the firing list on both replicas.
      expect(
        (await postJson(a, '/api/v1/alerts/resolve', { key, reason: 'snapshot re-taken and verified' }))
          .status,
      ).to.equal(200);
      await b.app.auditSnapshots.refresh();
      expect(b.app.gate.alerts.list()).to.deep.equal([]);
      expect(b.app.gate.alerts.get(key)?.status).to.equal('resolved');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
