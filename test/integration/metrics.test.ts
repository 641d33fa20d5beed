// GET /metrics: known traffic through the REST API, exact scraped counts;
// closed label sets; the gate's own registry with prom-client's defaults.
import { expect } from 'chai';
import { statSync } from 'node:fs';
import { createPromMetrics } from '../../src/adapters/metrics.js';
import type { DecisionReport } from '../../src/core/contracts/report.js';
import { getJson, postJson, startGate, type RunningGate } from '../support/gate-harness.js';
import { parseProm, sampleKey, type Samples } from '../support/prom-text.js';
import { t2Form } from '../support/t2-upload.js';
import { exampleJsonBody } from '../support/signed-t1.js';

const t1 = exampleJsonBody;

async function scrape(gate: RunningGate): Promise<{ samples: Samples; contentType: string | null }> {
  const res = await fetch(`${gate.url}/metrics`);
  expect(res.status).to.equal(200);
  return { samples: parseProm(await res.text()), contentType: res.headers.get('content-type') };
}

const P = 'migration_gate_';

describe('metrics', () => {
  let gate: RunningGate;
  const reports: DecisionReport[] = [];
  before(async () => {
    gate = await startGate();
    for (const dir of [
      't1_good',
      't1_good',
      't1_staging_warn',
      't1_bad/tls-off-prod',
      't1_bad/hash-mismatch',
    ]) {
      reports.push(
        (await postJson(gate, '/api/v1/validate/migration', t1(dir))).body as unknown as DecisionReport,
      );
    }
  });
  after(async () => {
    await gate.stop();
  });

  it('counts 3 ALLOW and 2 BLOCK T1 validations, their findings and audit records exactly', async () => {
    expect(reports.map((r) => r.decision)).to.deep.equal(['ALLOW', 'ALLOW', 'ALLOW', 'BLOCK', 'BLOCK']);
    const { samples, contentType } = await scrape(gate);
    expect(contentType).to.contain('text/plain');
    expect(
      samples.get(sampleKey(`${P}validations_total`, { scenario: 'T1', source: 'api', decision: 'ALLOW' })),
    ).to.equal(3);
    expect(
      samples.get(sampleKey(`${P}validations_total`, { scenario: 'T1', source: 'api', decision: 'BLOCK' })),
    ).to.equal(2);
    expect(samples.get(`${P}audit_records_total`)).to.equal(5);
    expect(samples.get(`${P}audit_write_errors_total`)).to.equal(0);
    expect(samples.get(`${P}audit_commit_duration_seconds_count`)).to.equal(5);
    const findings = new Map<string, number>();
    for (const f of reports.flatMap((r) => r.findings)) {
      const key = sampleKey(`${P}policy_findings_total`, { rule: f.rule, action: f.action });
      findings.set(key, (findings.get(key) ?? 0) + 1);
    }
    expect(
      findings.get(sampleKey(`${P}policy_findings_total`, { rule: 'prod-requires-tls', action: 'block' })),
    ).to.be.greaterThan(0);
    expect(
      findings.get(sampleKey(`${P}policy_findings_total`, { rule: 'config-hash-mismatch', action: 'block' })),
    ).to.equal(1);
    const scraped = [...samples].filter(([k]) => k.startsWith(`${P}policy_findings_total{`));
    expect(new Map(scraped)).to.deep.equal(findings);
  });

  it('counts alerts by severity as the alert list shows them (ordinary BLOCKs are none)', async () => {
    expect((await getJson(gate, '/api/v1/alerts')).body.items).to.deep.equal([]);
    await gate.app.auditSnapshots.refresh();
    gate.app.gate.alerts.setCondition('cert-expiry', {
      timestamp: new Date().toISOString(),
      severity: 'high',
      kind: 'cert-expiry',
      message: 'test: expires soon',
    });
    gate.app.gate.alerts.setCondition('audit-chain', {
      timestamp: new Date().toISOString(),
      severity: 'critical',
      kind: 'audit-chain',
      message: 'test: broken',
    });
    const alerts = (await getJson(gate, '/api/v1/alerts')).body.items as Array<{ severity: string }>;
    expect(alerts.length).to.be.greaterThan(0);
    const { samples } = await scrape(gate);
    for (const severity of ['critical', 'high']) {
      const want = alerts.filter((a) => a.severity === severity).length;
      expect(samples.get(sampleKey(`${P}alerts_total`, { severity })) ?? 0, severity).to.equal(want);
    }
  });

  it('exposes build info, the webhook certificate expiry, and prom-client defaults on the own registry', async () => {
    const { samples } = await scrape(gate);
    expect(samples.get(sampleKey(`${P}build_info`, { version: 'test', node: process.version }))).to.equal(1);
    const expiry = samples.get(`${P}tls_cert_expiry_timestamp_seconds`)!;
    expect(expiry).to.be.greaterThan(Date.now() / 1000);
    expect([...samples.keys()].some((k) => k.startsWith(`${P}process_cpu_user_seconds_total`))).to.equal(
      true,
    );
    expect([...samples.keys()].some((k) => k.startsWith(`${P}nodejs_heap_size_total_bytes`))).to.equal(true);
    for (const name of ['admission_duration_seconds_count', 'snapshot_verify_duration_seconds_count'])
      expect(samples.has(`${P}${name}`), name).to.equal(true);
  });

  it('counts the bytes of a streamed T2 verification', async () => {
    const res = await fetch(`${gate.url}/api/v1/validate/replication`, {
      method: 'POST',
      headers: gate.auth,
      body: t2Form('examples/t2_good'),
    });
    expect(res.status).to.equal(200);
    const { samples } = await scrape(gate);
    expect(
      samples.get(sampleKey(`${P}validations_total`, { scenario: 'T2', source: 'api', decision: 'ALLOW' })),
    ).to.equal(1);
    expect(samples.get(`${P}snapshot_bytes_verified_total`)).to.be.at.least(
      statSync('examples/t2_good/snapshot.tar.gz').size,
    );
    expect(samples.get(`${P}snapshot_verify_duration_seconds_count`)).to.equal(1);
  });

  it('never mints a label value from input: unknown rules, operations, sources count as "other"', async () => {
    const m = createPromMetrics({
      version: '1',
      policyRuleIds: () => ['known-policy-rule'],
      defaults: false,
    });
    const report = {
      request_id: 'r',
      timestamp: '2026-01-01T00:00:00Z',
      scenario: 'T1',
      decision: 'BLOCK',
      subject: {},
      steps: [],
      reasons: [],
      warnings: [],
      findings: [
        { rule: 'alice-chose-this', severity: 'high', action: 'block', message: '' },
        { rule: 'known-policy-rule', severity: 'high', action: 'warn', message: '' },
        { rule: 'wal-gap', severity: 'high', action: 'block', message: '' },
      ],
    } as DecisionReport;
    m.validation(report, 'someone' as never);
    m.admission('configmaps', '/etc/passwd', 'ALLOW', 0.01);
    m.alert('catastrophic');
    const samples = parseProm((await m.scrape()).body);
    expect(samples.get(sampleKey(`${P}policy_findings_total`, { rule: 'other', action: 'block' }))).to.equal(
      1,
    );
    expect(
      samples.get(sampleKey(`${P}policy_findings_total`, { rule: 'known-policy-rule', action: 'warn' })),
    ).to.equal(1);
    expect(
      samples.get(sampleKey(`${P}policy_findings_total`, { rule: 'wal-gap', action: 'block' })),
    ).to.equal(1);
    expect(
      samples.get(sampleKey(`${P}validations_total`, { scenario: 'T1', source: 'other', decision: 'BLOCK' })),
    ).to.equal(1);
    expect(
      samples.get(
        sampleKey(`${P}admission_requests_total`, {
          resource: 'configmaps',
          operation: 'other',
          decision: 'ALLOW',
        }),
      ),
    ).to.equal(1);
    expect(samples.get(sampleKey(`${P}alerts_total`, { severity: 'other' }))).to.equal(1);
    expect([...samples.keys()].some((k) => k.includes('process_cpu'))).to.equal(false);
  });
});
