// Reports give what a person needs to act: a BLOCK whose config could not be
// parsed still names the manifest's app (so /audit/logs?app_id= finds it),
// digests are given in full, and the words agree with the verdict. Plus the
// audit filters by rule id and request id that an operator searches with.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { getJson, postJson, startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { t2Form } from '../support/t2-upload.js';
import { allowedSummary } from '../../src/adapters/http/ui/report-view.js';
import type { DecisionReport } from '../../src/core/contracts/report.js';

function t1(dir: string): { manifest: Record<string, unknown>; config: string } {
  return {
    manifest: JSON.parse(readFileSync(`examples/${dir}/migration_manifest.json`, 'utf8')) as Record<
      string,
      unknown
    >,
    config: readFileSync(`examples/${dir}/app-config.yaml`, 'utf8'),
  };
}

describe('report wording and the audit filters', function () {
  this.timeout(60_000);
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  it('a config that cannot be parsed still records the manifest app_id, and the app_id filter finds it', async () => {
    const res = await postJson(gate, '/api/v1/validate/migration', t1('t1_bad/not-yaml'));
    expect(res.body.decision).to.equal('BLOCK');
    expect(res.body.subject).to.include({ app_id: 'orders-api', env: 'prod' });
    const logs = await getJson(gate, `/api/v1/audit/logs?app_id=orders-api&rule=config-parse-error`);
    expect((logs.body.items as Array<{ request_id: string }>).map((r) => r.request_id)).to.deep.equal([
      res.body.request_id,
    ]);
  });

  it('a T1 hash mismatch shows both digests in full', async () => {
    const res = await postJson(gate, '/api/v1/validate/migration', t1('t1_bad/hash-mismatch'));
    const hash = (res.body.steps as Array<{ step: string; detail?: string }>).find(
      (s) => s.step === 'compare',
    )!;
    expect(hash.detail).to.match(/^sha256 [0-9a-f]{64} ≠ manifest [0-9a-f]{64}$/);
  });

  it('a T2 snapshot digest mismatch shows both digests in full', async () => {
    const res = await fetch(`${gate.url}/api/v1/validate/replication`, {
      method: 'POST',
      headers: gate.auth,
      body: t2Form('examples/t2_bad/snapshot-digest-mismatch'),
    });
    const body = (await res.json()) as { steps: Array<{ step: string; detail?: string }> };
    expect(body.steps.find((s) => s.step === 'snapshot')!.detail).to.match(
      /sha256 [0-9a-f]{64} ≠ manifest [0-9a-f]{64}/,
    );
  });

  it('the WAL step never "passes" with words that read like a failure', async () => {
    const res = await fetch(`${gate.url}/api/v1/validate/replication`, {
      method: 'POST',
      headers: gate.auth,
      body: t2Form('examples/t2_good'),
    });
    const body = (await res.json()) as {
      decision: string;
      steps: Array<{ step: string; status: string; detail?: string }>;
    };
    const wal = body.steps.find((s) => s.step === 'wal')!;
    expect(wal.status).to.equal('pass');
    expect(wal.detail).to.not.match(/not covering/);
    expect(wal.detail).to.match(
      /covering the backup's WAL-Ranges|no backup_manifest WAL-Ranges|incomplete: warning wal-coverage/,
    );
  });

  it('"All checks passed" only when nothing warned; a critical warning is named', () => {
    const base: DecisionReport = {
      request_id: 'r',
      timestamp: 't',
      scenario: 'T1',
      decision: 'ALLOW',
      subject: {},
      steps: [{ step: 'parse', status: 'pass' }],
      findings: [],
      reasons: [],
      warnings: [],
    };
    expect(allowedSummary(base)).to.equal('All checks passed.');
    const warned = {
      ...base,
      findings: [
        { rule: 'no-inline-secrets', severity: 'critical' as const, action: 'warn' as const, message: 'x' },
      ],
      warnings: ['[no-inline-secrets] x'],
    };
    expect(allowedSummary(warned)).to.equal(
      'Allowed with 1 warning (worst: critical): read them below before going on.',
    );
  });

  it("filters the audit log by request id (the gate's or the caller's) and by rule id, and refuses a malformed one", async () => {
    const mine = await postJson(gate, '/api/v1/validate/migration', t1('t1_bad/tls-off-prod'), {
      'x-request-id': 'ci-job-7',
    });
    for (const id of [mine.body.request_id as string, 'ci-job-7']) {
      const found = await getJson(gate, `/api/v1/audit/logs?request_id=${id}`);
      expect(
        (found.body.items as Array<{ request_id: string }>).map((r) => r.request_id),
        id,
      ).to.deep.equal([mine.body.request_id]);
    }
    const byRule = await getJson(gate, '/api/v1/audit/logs?rule=prod-requires-tls');
    expect((byRule.body.items as unknown[]).length).to.be.greaterThan(0);
    for (const r of byRule.body.items as Array<{ findings: Array<{ rule: string }> }>)
      expect(r.findings.map((f) => f.rule)).to.include('prod-requires-tls');
    expect((await getJson(gate, '/api/v1/audit/logs?rule=Not%20A%20Rule')).status).to.equal(400);
  });

  it('exports a filtered audit view as JSON lines: every match, chain fields included, nothing else', async () => {
    const res = await fetch(`${gate.url}/ui/audit/export?decision=BLOCK&rule=prod-requires-tls`, {
      headers: { cookie: `mg_session=${TEST_TOKEN}` },
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { decision: string; hash: string; findings: Array<{ rule: string }> });
    expect(lines.length).to.be.greaterThan(0);
    for (const l of lines) {
      expect(l.decision).to.equal('BLOCK');
      expect(l.hash).to.match(/^[0-9a-f]{64}$/);
      expect(l.findings.map((f) => f.rule)).to.include('prod-requires-tls');
    }
    const bad = await fetch(`${gate.url}/ui/audit/export?decision=MAYBE`, {
      headers: { cookie: `mg_session=${TEST_TOKEN}` },
    });
    expect(bad.status).to.equal(400);
    const anon = await fetch(`${gate.url}/ui/audit/export`, { redirect: 'manual' });
    expect(anon.status).to.equal(303);
  });

  it('GET /api/v1/verifications/<id>: 400 for a malformed id, 404 for an unknown one, a list otherwise', async () => {
    expect((await getJson(gate, '/api/v1/verifications/not-hex')).status).to.equal(400);
    expect((await getJson(gate, `/api/v1/verifications/${'a'.repeat(64)}`)).status).to.equal(404);
    expect((await getJson(gate, '/api/v1/verifications')).body).to.deep.equal({ items: [] });
    expect((await fetch(`${gate.url}/api/v1/verifications`)).status).to.equal(401);
  });
});
