// Crash safety of the file audit sink: SIGKILL the gate while it answers a
// stream of requests, restart it on the same files, and prove that every
// request that got an answer has its record, the chain verifies, and a torn
// tail is repaired.
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnGate, type GateProcess } from '../support/gate-process.js';

const TOKEN = 'crash-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const manifest = JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')) as Record<string, unknown>;
const goodConfig = readFileSync('examples/t1_good/app-config.yaml', 'utf8');
const badConfig = readFileSync('examples/t1_bad/tls-off-prod/app-config.yaml', 'utf8');

async function stream(gate: GateProcess, answered: Set<string>, stop: { now: boolean }, worker: number): Promise<void> {
  for (let i = 0; !stop.now; i++) {
    const id = `crash-${worker}-${i}`;
    try {
      const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
        method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify({ manifest, config: i % 3 === 0 ? badConfig : goodConfig }),
      });
      await res.json();
      if (res.status === 200 || res.status === 422) answered.add(id);
    } catch {
      return; // the gate died under us: this request got no answer
    }
  }
}

async function auditIds(gate: GateProcess): Promise<{ ids: Set<string>; verify: { ok: boolean; records: number } }> {
  const ids = new Set<string>();
  let cont: string | undefined;
  do {
    const res = await fetch(`${gate.url}/api/v1/audit/logs?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, { headers: auth });
    const page = (await res.json()) as { items: Array<{ request_id: string }>; continue?: string };
    for (const r of page.items) ids.add(r.request_id);
    cont = page.continue;
  } while (cont);
  const verify = (await (await fetch(`${gate.url}/api/v1/audit/verify`, { headers: auth })).json()) as { ok: boolean; records: number };
  return { ids, verify };
}

describe('crash safety (file audit sink, SIGKILL)', function () {
  this.timeout(180_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-crash-'));
  const env = { GATE_DATA_DIR: dataDir, GATE_API_TOKEN: TOKEN, GATE_WRITER_ID: 'crash-writer' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('loses no answered decision across three kills, repairs a torn tail, keeps the chain intact', async () => {
    const answered = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const gate = await spawnGate(env);
      const stop = { now: false };
      const workers = Array.from({ length: 8 }, (_, w) => stream(gate, answered, stop, round * 100 + w));
      await new Promise((r) => setTimeout(r, 1500 + round * 500));
      await gate.kill('SIGKILL');
      stop.now = true;
      await Promise.all(workers);
    }
    // A crash mid-write leaves a torn last line: simulate the worst case.
    appendFileSync(path.join(dataDir, 'audit.jsonl'), '{"request_id":"torn-half-writt');
    const gate = await spawnGate(env);
    try {
      expect(gate.logs.join('\n')).to.match(/torn|repair/i);
      const { ids, verify } = await auditIds(gate);
      const lost = [...answered].filter((id) => !ids.has(id));
      expect(answered.size, 'requests answered before the kills').to.be.greaterThan(20);
      expect(lost, 'answered but not recorded').to.deep.equal([]);
      expect(verify.ok).to.equal(true);
      expect(verify.records).to.equal(ids.size);
      console.log(`      ${answered.size} answered decisions, 3 SIGKILLs, ${ids.size} records, 0 lost, chain intact`);
    } finally {
      await gate.kill('SIGTERM');
    }
  });
});
