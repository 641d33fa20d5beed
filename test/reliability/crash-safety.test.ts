// Crash safety of the file audit sink: SIGKILL the gate while it answers a
// stream of requests, restart it on the same files, and prove that every
// request that got an answer has its record, the chain verifies, and a torn
// tail is repaired.
import { expect } from 'chai';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditState, killRounds } from '../support/crash-stream.js';
import { spawnGate } from '../support/gate-process.js';

const TOKEN = 'crash-test-token-0123456789';

describe('crash safety (file audit sink, SIGKILL)', function () {
  this.timeout(180_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-crash-'));
  const env = { GATE_DATA_DIR: dataDir, GATE_API_TOKEN: TOKEN, GATE_WRITER_ID: 'crash-writer' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('loses no answered decision across three kills, repairs a torn tail, keeps the chain intact', async () => {
    const answered = await killRounds(() => spawnGate(env), TOKEN, 3);
    // A crash mid-write leaves a torn last line: simulate the worst case.
    appendFileSync(path.join(dataDir, 'audit.jsonl'), '{"request_id":"torn-half-writt');
    const gate = await spawnGate(env);
    try {
      expect(gate.logs.join('\n')).to.match(/torn|repair/i);
      const { ids, verify } = await auditState(gate, TOKEN);
      expect(answered.size, 'requests answered before the kills').to.be.greaterThan(20);
      expect(
        [...answered].filter((id) => !ids.has(id)),
        'answered but not recorded',
      ).to.deep.equal([]);
      expect(verify.ok).to.equal(true);
      expect(verify.records).to.equal(ids.size);
      console.log(
        `      ${answered.size} answered decisions, 3 SIGKILLs, ${ids.size} records, 0 lost, chain intact`,
      );
    } finally {
      await gate.kill('SIGTERM');
    }
  });
});
