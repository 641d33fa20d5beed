// Issue 12 item 5 through the REST API: a file audit log deleted, cut back
// or failing under a running gate is a BLOCK [audit-unavailable], a critical
// alert, /readyz 503, and /api/v1/audit/verify and /logs answer 503 with a
// reason, never 500 and never "ok". A restart over the shortened log refuses.
import { expect } from 'chai';
import { readFileSync, truncateSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { openFileAuditSink } from '../../src/adapters/audit/file-sink.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/adapters/log.js';
import { getJson, postJson, startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { signedJsonBody } from '../support/signed-t1.js';

const manifest = JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')) as Record<
  string,
  unknown
>;
const config = readFileSync('examples/t1_good/app-config.yaml', 'utf8');

async function expectStoreFailing(gate: RunningGate, why: RegExp): Promise<void> {
  const blocked = await postJson(gate, '/api/v1/validate/migration', signedJsonBody(manifest, config));
  expect(blocked.body.decision).to.equal('BLOCK');
  expect(
    (blocked.body.reasons as string[]).some((r) => r.startsWith('[audit-unavailable]')),
    JSON.stringify(blocked.body.reasons),
  ).to.equal(true);
  const ready = await getJson(gate, '/readyz', {});
  expect(ready.status).to.equal(503);
  expect(JSON.stringify(ready.body)).to.match(why);
  const alerts = (await getJson(gate, '/api/v1/alerts')).body.items as Array<{
    kind: string;
    severity: string;
    message: string;
  }>;
  expect(
    alerts.some((a) => a.kind === 'audit-sink' && a.severity === 'critical' && why.test(a.message)),
    JSON.stringify(alerts),
  ).to.equal(true);
  const verify = await getJson(gate, '/api/v1/audit/verify');
  expect(verify.status).to.equal(503);
  expect(verify.body.ok ?? false).to.equal(false);
  expect(JSON.stringify(verify.body)).to.match(why);
  const logs = await getJson(gate, '/api/v1/audit/logs');
  expect(logs.status).to.be.oneOf([200, 503]);
}

function restart(gate: RunningGate): Promise<unknown> {
  const cfg = loadConfig({
    GATE_API_PORT: '0',
    GATE_WEBHOOK_PORT: '0',
    GATE_BIND_ADDRESS: '127.0.0.1',
    GATE_DATA_DIR: gate.dataDir,
    GATE_POLICY_DIR: gate.policyDir,
    GATE_API_TOKEN: TEST_TOKEN,
  });
  return createApp({ config: cfg, logger: silentLogger, writerId: 'test-writer', version: 'test' });
}

describe('REST API: the file audit log cannot vanish or shrink unnoticed', () => {
  it('rm audit.jsonl under a running gate: BLOCK, alert, /readyz 503, verify and logs 503; restart refuses', async () => {
    const gate = await startGate();
    let stopped = false;
    try {
      expect(
        (await postJson(gate, '/api/v1/validate/migration', signedJsonBody(manifest, config))).body.decision,
      ).to.equal('ALLOW');
      unlinkSync(path.join(gate.dataDir, 'audit.jsonl'));
      await expectStoreFailing(gate, /no longer exists/);
      const logs = await getJson(gate, '/api/v1/audit/logs');
      expect(logs.status).to.equal(503);
      await gate.app.stop();
      stopped = true;
      const refused = await restart(gate).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(refused?.message).to.match(
        /audit\.jsonl is missing but audit\.jsonl\.head says it held writer test-writer up to seq 1/,
      );
    } finally {
      if (!stopped) await gate.app.stop();
      await gate.stop().catch(() => undefined);
    }
  });

  it('a tail cut back in place: the next decision is a BLOCK and the store is failing; restart refuses', async () => {
    const gate = await startGate();
    let stopped = false;
    try {
      for (let i = 0; i < 3; i++)
        await postJson(gate, '/api/v1/validate/migration', signedJsonBody(manifest, config));
      const file = path.join(gate.dataDir, 'audit.jsonl');
      const lines = readFileSync(file, 'utf8').split('\n');
      truncateSync(file, Buffer.byteLength(`${lines[0]}\n`));
      // Before the next write the cut is already visible to a reader.
      const verify = await getJson(gate, '/api/v1/audit/verify');
      expect(verify.status).to.equal(503);
      expect(JSON.stringify(verify.body)).to.match(/truncated/);
      await expectStoreFailing(gate, /truncated/);
      await gate.app.stop();
      stopped = true;
      const refused = await restart(gate).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(refused?.message).to.match(
        /ends at seq 1 of writer test-writer but its head file records writer test-writer seq 3/,
      );
    } finally {
      if (!stopped) await gate.app.stop();
      await gate.stop().catch(() => undefined);
    }
  });

  it('a full disk (fsync fails): verify says the store is failing (503, ok false), not ok: true', async () => {
    const probe = await startGate();
    const dataDir = probe.dataDir;
    await probe.app.stop();
    const sink = await openFileAuditSink({
      path: path.join(dataDir, 'full.jsonl'),
      writer: 'test-writer',
      lingerMs: 0,
      io: {
        sync: () =>
          Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })),
      },
    });
    const gate = await startGate({}, { auditSink: sink });
    try {
      await expectStoreFailing(gate, /no space left/);
    } finally {
      await gate.stop();
      await probe.stop().catch(() => undefined);
    }
  });
});
