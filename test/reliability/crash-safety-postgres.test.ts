// Crash safety of the PostgreSQL audit sink: two gate processes (two
// writers) stream decisions into one real PostgreSQL, each is SIGKILLed
// three times mid-stream and restarted; every decision that got an answer
// has its record, both chains verify, and nothing is stored twice.
import { expect } from 'chai';
import { setupPostgresAuditStore } from '../../src/adapters/postgres/pg-setup.js';
import { auditState, killRounds } from '../support/crash-stream.js';
import { spawnGate } from '../support/gate-process.js';
import { GATE_PASSWORD, GATE_ROLE, startPgCluster, type PgCluster } from '../support/pg/pg-cluster.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TOKEN = 'crash-test-token-0123456789';

describe('crash safety (PostgreSQL audit sink, SIGKILL, two writers)', function () {
  this.timeout(240_000);
  let cluster: PgCluster;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-crash-pg-'));
  before(async () => {
    cluster = await startPgCluster();
    await setupPostgresAuditStore({ url: cluster.ownerUrl, gateRole: GATE_ROLE });
  });
  after(() => {
    cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no answered decision across three kills of each of two writers; chains intact; no password in any log', async () => {
    const env = (writer: string) => ({
      GATE_DATA_DIR: path.join(dataDir, writer),
      GATE_API_TOKEN: TOKEN,
      GATE_WRITER_ID: writer,
      GATE_AUDIT_SINK: 'postgres',
      GATE_AUDIT_POSTGRES_URL: cluster.gateUrl,
    });
    const logs: string[] = [];
    const start = (writer: string) => async () => {
      const g = await spawnGate(env(writer));
      g.child.once('exit', () => logs.push(...g.logs));
      return g;
    };
    const [a, b] = await Promise.all([
      killRounds(start('crash-a'), TOKEN, 3, 4),
      killRounds(start('crash-b'), TOKEN, 3, 4),
    ]);
    const answered = new Set([...a, ...b]);
    const gate = await spawnGate(env('crash-a'));
    try {
      const { ids, verify } = await auditState(gate, TOKEN);
      expect(answered.size, 'requests answered before the kills').to.be.greaterThan(20);
      expect(
        [...answered].filter((id) => !ids.has(id)),
        'answered but not recorded',
      ).to.deep.equal([]);
      expect(verify.ok).to.equal(true);
      expect(verify.records).to.equal(ids.size);
      const [row] = await cluster.sql<{ n: string }>(
        'SELECT count(DISTINCT writer)::text AS n FROM migration_gate_audit',
        [],
        cluster.ownerUrl,
      );
      expect(row?.n).to.equal('2');
      expect([...logs, ...gate.logs].join('\n')).to.not.contain(GATE_PASSWORD);
      console.log(
        `      ${answered.size} answered decisions, 2 writers x 3 SIGKILLs, ${ids.size} records, 0 lost, chains intact`,
      );
    } finally {
      await gate.kill('SIGTERM');
    }
  });
});
