// migration_gate_alert_condition{kind}: the gauge the chart's PrometheusRule
// pages on. It must stay 0 through ordinary BLOCKs (even high-severity ones,
// which do raise an alert event), and follow a standing condition: a policy
// reload refused sets policy-load to 1, a good reload clears it.
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { postJson, startGate, type RunningGate } from '../support/gate-harness.js';
import { parseProm, sampleKey, type Samples } from '../support/prom-text.js';
import { exampleJsonBody } from '../support/signed-t1.js';

const P = 'migration_gate_';
const KINDS = ['audit-chain', 'audit-sink', 'policy-load', 'key-load', 'cert-expiry'];

async function scrape(gate: RunningGate): Promise<Samples> {
  const res = await fetch(`${gate.url}/metrics`);
  expect(res.status).to.equal(200);
  return parseProm(await res.text());
}

const condition = (s: Samples, kind: string): number | undefined =>
  s.get(sampleKey(`${P}alert_condition`, { kind }));

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('metrics: standing alert conditions (the PrometheusRule inputs)', function () {
  this.timeout(60_000);
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  it('every kind is exported as 0 from the start (absent never means fine)', async () => {
    const s = await scrape(gate);
    for (const kind of KINDS) expect(condition(s, kind), kind).to.equal(0);
  });

  it('ordinary BLOCKs, high severity included, raise no alert and no condition (a BLOCK is a decision, issue 17)', async () => {
    for (const dir of ['t1_bad/tls-off-prod', 't1_bad/hash-mismatch', 't1_bad/public-bind']) {
      expect(
        (await postJson(gate, '/api/v1/validate/migration', exampleJsonBody(dir))).body.decision,
        dir,
      ).to.equal('BLOCK');
    }
    const s = await scrape(gate);
    const events = [...s.entries()]
      .filter(([k]) => k.startsWith(`${P}alerts_total`))
      .reduce((n, [, v]) => n + v, 0);
    expect(events, 'no alert fired for an ordinary BLOCK').to.equal(0);
    for (const kind of KINDS) expect(condition(s, kind), kind).to.equal(0);
    expect(s.get(`${P}audit_write_errors_total`)).to.equal(0);
  });

  it('a refused policy reload sets policy-load to 1 while it holds; a good reload clears it', async () => {
    const file = path.join(gate.policyDir, 'baseline.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, `${good}\n  - id: [unclosed\n`);
    await until(async () => condition(await scrape(gate), 'policy-load') === 1, 'policy-load = 1');
    // The last good set stays in force: decisions go on.
    expect(
      (await postJson(gate, '/api/v1/validate/migration', exampleJsonBody('t1_bad/tls-off-prod'))).body
        .decision,
    ).to.equal('BLOCK');
    writeFileSync(file, good);
    await until(async () => condition(await scrape(gate), 'policy-load') === 0, 'policy-load = 0');
  });
});
