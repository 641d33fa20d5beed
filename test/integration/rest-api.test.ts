// The REST surface around validation: auth, health, readiness, policies,
// openapi, audit tamper detection, fail-closed audit.
import { expect } from 'chai';
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, postJson, startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { signedJsonBody } from '../support/signed-t1.js';
import { MemoryAuditSink } from '../support/memory-audit-sink.js';

const manifest = JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')) as Record<
  string,
  unknown
>;
const config = readFileSync('examples/t1_good/app-config.yaml', 'utf8');
const ROUTES: Array<[string, string]> = [
  ['POST', '/api/v1/validate/migration'],
  ['GET', '/api/v1/audit/logs'],
  ['GET', '/api/v1/audit/verify'],
  ['GET', '/api/v1/alerts'],
  ['GET', '/api/v1/policies'],
];

describe('REST API', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  for (const [method, route] of ROUTES) {
    for (const [label, header] of [
      ['no token', undefined],
      ['a wrong token', `Bearer ${TEST_TOKEN}x`],
      ['a non-bearer scheme', `Basic ${TEST_TOKEN}`],
    ] as const) {
      it(`${method} ${route} refuses ${label} with 401`, async () => {
        const res = await fetch(`${gate.url}${route}`, {
          method,
          headers: header ? { authorization: header } : {},
        });
        expect(res.status).to.equal(401);
        expect(res.headers.get('www-authenticate')).to.contain('Bearer');
        expect(res.headers.get('content-type')).to.contain('application/problem+json');
      });
    }
  }

  it('serves health, readiness and openapi without a token, with security headers', async () => {
    for (const p of ['/healthz', '/readyz', '/openapi.json']) {
      const res = await fetch(`${gate.url}${p}`);
      expect(res.status, p).to.equal(200);
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(res.headers.get('x-frame-options')).to.equal('DENY');
      expect(res.headers.get('content-security-policy')).to.contain("default-src 'none'");
      expect(res.headers.get('x-request-id')).to.match(/^[0-9A-Z]{26}$/);
    }
    const doc = await getJson(gate, '/openapi.json', {});
    const schemas = (
      doc.body.components as { schemas: Record<string, { properties?: Record<string, unknown> }> }
    ).schemas;
    expect(Object.keys(schemas.DecisionReport!.properties!)).to.include.members([
      'request_id',
      'decision',
      'reasons',
      'steps',
      'findings',
      'subject',
    ]);
  });

  it('answers 404 and 405 as problems', async () => {
    expect((await fetch(`${gate.url}/nope`)).status).to.equal(404);
    const res = await fetch(`${gate.url}/api/v1/validate/migration`, { headers: gate.auth });
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.equal('POST');
  });

  it('lists the loaded policies with a digest', async () => {
    const res = await getJson(gate, '/api/v1/policies');
    expect(res.body.digest).to.match(/^sha256:[0-9a-f]{64}$/);
    const ids = (res.body.rules as Array<{ id: string }>).map((r) => r.id);
    expect(ids).to.include.members(['prod-requires-tls', 'no-inline-secrets', 't2-signature-required']);
  });

  it('names the first bad record after one byte of the audit file is changed', async () => {
    for (let i = 0; i < 3; i++)
      await postJson(gate, '/api/v1/validate/migration', signedJsonBody(manifest, config));
    const file = path.join(gate.dataDir, 'audit.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.length).to.be.greaterThan(3);
    lines[1] = lines[1]!.replace('"decision":"ALLOW"', '"decision":"ALLOX"');
    writeFileSync(file, lines.join('\n'));
    const res = await getJson(gate, '/api/v1/audit/verify');
    expect(res.status).to.equal(409);
    const bad = res.body.first_bad as { location: string; problem: string };
    expect(bad.location).to.equal('audit.jsonl:2');
    const alerts = await getJson(gate, '/api/v1/alerts');
    expect(JSON.stringify(alerts.body)).to.contain('audit chain broken at audit.jsonl:2');
  });

  it('keeps the last good policy set when a policy file breaks, stays ready (the answers are still correct), raises an alert', async () => {
    const before = (await getJson(gate, '/api/v1/policies')).body.digest;
    appendFileSync(path.join(gate.policyDir, 'baseline.yaml'), '\n  - id: broken\n    expresion: "true"\n');
    let firing = false;
    for (let i = 0; i < 50 && !firing; i++) {
      await new Promise((r) => setTimeout(r, 100));
      firing = gate.app.gate.alerts.list().some((a) => a.key === 'policy-load');
    }
    expect(firing).to.equal(true);
    const ready = await fetch(`${gate.url}/readyz`);
    expect(ready.status).to.equal(200);
    const readyBody = (await ready.json()) as {
      alerts: Record<string, unknown>;
      checks: { policies: { detail: string } };
    };
    expect(readyBody.alerts).to.have.property('policy-load');
    expect(readyBody.checks.policies.detail).to.match(/last good policy set sha256:[0-9a-f]{64} in force/);
    const policies = await getJson(gate, '/api/v1/policies');
    expect(policies.body.digest).to.equal(before);
    expect((policies.body.errors as string[]).join('\n')).to.match(/broken|expresion/);
    const alerts = await getJson(gate, '/api/v1/alerts');
    expect(JSON.stringify(alerts.body)).to.contain('policy-load');
    const still = await postJson(gate, '/api/v1/validate/migration', signedJsonBody(manifest, config));
    expect(still.body.decision).to.equal('ALLOW');
    expect(still.body.policy_digest).to.equal(before);
  });
});

describe('REST API with a failing audit store', () => {
  it('fails closed: BLOCK with [audit-unavailable] and an alert', async () => {
    const sink = new MemoryAuditSink('test-writer').failNext(1);
    const gate = await startGate({}, { auditSink: sink });
    try {
      const res = await postJson(gate, '/api/v1/validate/migration', signedJsonBody(manifest, config));
      expect(res.status).to.equal(422);
      expect((res.body.reasons as string[]).some((r) => r.startsWith('[audit-unavailable]'))).to.equal(true);
      const ok = await postJson(gate, '/api/v1/validate/migration', signedJsonBody(manifest, config));
      expect(ok.body.decision).to.equal('ALLOW');
      // The decision that failed was never stored; the one after it was (alert transitions are records too, not decisions).
      expect(
        sink.records.filter((r) => (r as { record_type?: string }).record_type !== 'alert'),
      ).to.have.length(1);
    } finally {
      await gate.stop();
    }
  });

  it('keeps the decision when configured fail-open, still alerting', async () => {
    const sink = new MemoryAuditSink('test-writer').failNext(1);
    const gate = await startGate({ GATE_AUDIT_FAIL_CLOSED: 'false' }, { auditSink: sink });
    try {
      const res = await postJson(gate, '/api/v1/validate/migration', signedJsonBody(manifest, config));
      expect(res.body.decision).to.equal('ALLOW');
      const alerts = await getJson(gate, '/api/v1/alerts');
      expect(JSON.stringify(alerts.body)).to.contain('audit-sink');
    } finally {
      await gate.stop();
    }
  });
});
