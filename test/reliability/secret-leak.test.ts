// A secret planted in a config must never come back out: not in responses,
// audit records, logs, alerts or metrics. The test greps all of them.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnGate } from '../support/gate-process.js';

const TOKEN = 'leak-test-token-0123456789';
const SECRETS = {
  password: 'Pl4nted-Passw0rd-zq81',
  aws: 'AKIAZQ81PLANTEDKEY7X',
  github: `ghp_${'Zq81Planted'.repeat(3)}abc`,
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.Zq81PlantedSignatureValue',
  secretKey: 'zq81-short-secret-key',
};

function configWith(env: 'prod' | 'staging'): { manifest: Record<string, unknown>; config: string } {
  const config = `tls:\n  enabled: true\n  min_version: "1.2"\nsecrets_ref: vault://x\ndebug: false\naudit:\n  enabled: true\n`
    + `database:\n  password: "${SECRETS.password}"\ns3:\n  key_id: ${SECRETS.aws}\nci:\n  token: ${SECRETS.github}\nsession: ${SECRETS.jwt}\nsecret_key: "${SECRETS.secretKey}"\n`;
  return { manifest: { app_id: 'leaky', env, version: '1', config_sha256: createHash('sha256').update(config).digest('hex') }, config };
}

describe('secrets never leak', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-leak-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('appear in no response, audit record, log line, alert or metric', async () => {
    const gate = await spawnGate({ GATE_DATA_DIR: dataDir, GATE_API_TOKEN: TOKEN, GATE_LOG_LEVEL: 'debug' });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const seen: string[] = [];
    try {
      for (const env of ['prod', 'staging'] as const) {
        const res = await fetch(`${gate.url}/api/v1/validate/migration`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(configWith(env)) });
        const text = await res.text();
        seen.push(text);
        const report = JSON.parse(text) as { findings: Array<{ rule: string; path?: string }> };
        const rules = report.findings.map((f) => `${f.rule}@${f.path ?? ''}`);
        expect(rules.some((r) => r.startsWith('no-inline-secrets')), rules.join(', ')).to.equal(true);
      }
      // A malformed request that carries a secret in its body.
      seen.push(await (await fetch(`${gate.url}/api/v1/validate/migration`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: `{"manifest": "${SECRETS.password}", "config": 1}` })).text());
      for (const p of ['/api/v1/audit/logs?limit=500', '/api/v1/alerts', '/api/v1/audit/verify', '/api/v1/policies']) {
        seen.push(await (await fetch(`${gate.url}${p}`, { headers: auth })).text());
      }
      const metrics = await fetch(`${gate.url}/metrics`);
      expect(metrics.status).to.equal(200);
      seen.push(await metrics.text());
    } finally {
      await gate.kill('SIGTERM');
    }
    seen.push(readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8'));
    seen.push(gate.logs.join('\n'));
    const all = seen.join('\n');
    expect(all).to.contain('no-inline-secrets');
    for (const [kind, value] of Object.entries(SECRETS)) {
      expect(all.includes(value), `${kind} leaked`).to.equal(false);
      expect(all.includes(value.slice(4, 16)), `part of ${kind} leaked`).to.equal(false);
    }
    expect(all.includes(TOKEN), 'the API token leaked').to.equal(false);
  });
});
