// The PostgreSQL audit sink against a real PostgreSQL 15 started here
// (test/support/pg/pg-cluster.ts): the shared sink suite, then what only
// this store has to prove: append-only by construction, the gate's role
// checked at start, concurrent writers that cannot fork a chain, a lost
// commit answer, indexed reads, and the URL's password never shown.
import { expect } from 'chai';
import pg from 'pg';
import {
  openPostgresAuditSink as openPg,
  type PostgresAuditSinkOptions,
} from '../../src/adapters/postgres/pg-audit-sink.js';
import { ReportQueue } from '../../src/adapters/audit/report-queue.js';

/** The sink as app.ts wires it: with the shared group-commit queue. */
const openPostgresAuditSink = (
  o: Omit<PostgresAuditSinkOptions, 'queue'> & { lingerMs?: number; maxPending?: number },
) =>
  openPg({
    ...o,
    queue: (flush) =>
      new ReportQueue(flush, {
        ...(o.lingerMs !== undefined ? { lingerMs: o.lingerMs } : {}),
        ...(o.maxPending !== undefined ? { maxPending: o.maxPending } : {}),
      }),
  });
import { setupPostgresAuditStore } from '../../src/adapters/postgres/pg-setup.js';
import { AUDIT_TABLE, CHECKPOINT_TABLE } from '../../src/adapters/postgres/pg-schema.js';
import { postgresCheckpointBoard } from '../../src/adapters/postgres/pg-checkpoints.js';
import { verifyChains } from '../../src/core/audit-record.js';
import type { AuditSink } from '../../src/core/ports/audit.js';
import type { Logger } from '../../src/core/ports/runtime.js';
import { auditSinkContract } from '../support/audit-sink-contract.js';
import { peerProofContract } from '../support/peer-proof-contract.js';
import { GATE_PASSWORD, GATE_ROLE, startPgCluster, type PgCluster } from '../support/pg/pg-cluster.js';
import { report } from '../unit/audit/report-fixture.js';
import { rejection } from '../support/rejection.js';

let cluster: PgCluster;
let dbNo = 0;
let gateUrl = '';
let ownerUrl = '';

/** A fresh database (owned by mg_owner) with the audit table set up: every test starts empty. */
async function freshStore(): Promise<void> {
  dbNo += 1;
  const db = `audit_${dbNo}`;
  await cluster.sql(`CREATE DATABASE ${db} OWNER mg_owner`);
  gateUrl = cluster.gateUrl.replace(/\/audit$/, `/${db}`);
  ownerUrl = cluster.ownerUrl.replace('/audit?', `/${db}?`);
  await setupPostgresAuditStore({ url: ownerUrl, gateRole: GATE_ROLE });
}

describe('PostgreSQL audit store (real PostgreSQL 15)', function () {
  this.timeout(60_000);
  before(async () => {
    cluster = await startPgCluster({ fsync: false });
  });
  after(() => cluster?.stop());

  auditSinkContract('postgres', {
    sharedByWriters: true,
    reset: freshStore,
    open: (writer, tuning) => openPostgresAuditSink({ url: gateUrl, writer, lingerMs: 0, ...tuning }),
    async tamper(writer, seq, edit) {
      // Only a superuser who switches the guard off can rewrite a row; that is the attack.
      const [row] = await cluster.sql<{ line: string }>(
        `SELECT line FROM ${AUDIT_TABLE} WHERE writer = $1 AND seq = $2`,
        [writer, seq],
        ownerUrl.replace('mg_owner@', 'postgres@'),
      );
      const admin = ownerUrl.replace('mg_owner@', 'postgres@');
      await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} DISABLE TRIGGER ${AUDIT_TABLE}_no_change`, [], admin);
      await cluster.sql(
        `UPDATE ${AUDIT_TABLE} SET line = $3 WHERE writer = $1 AND seq = $2`,
        [writer, seq, edit(row!.line)],
        admin,
      );
      await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} ENABLE TRIGGER ${AUDIT_TABLE}_no_change`, [], admin);
    },
  });

  // The board in the sink's own database, through a pool of the gate's role (as app.ts wires it).
  let boardPool: pg.Pool | undefined;
  afterEach(async () => {
    await boardPool?.end();
    boardPool = undefined;
  });
  peerProofContract('postgres (checkpoint table)', {
    reset: freshStore,
    open: (writer) => openPostgresAuditSink({ url: gateUrl, writer, lingerMs: 0 }),
    board() {
      boardPool ??= new pg.Pool({ connectionString: gateUrl, max: 2 });
      return postgresCheckpointBoard(boardPool);
    },
    async rewrite(writer, from, to) {
      const admin = ownerUrl.replace('mg_owner@', 'postgres@');
      await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} DISABLE TRIGGER ${AUDIT_TABLE}_no_change`, [], admin);
      await cluster.sql(
        `UPDATE ${AUDIT_TABLE} SET line = replace(line, $2, $3) WHERE writer = $1 AND strpos(line, $2) > 0`,
        [writer, from, to],
        admin,
      );
      await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} ENABLE TRIGGER ${AUDIT_TABLE}_no_change`, [], admin);
    },
  });

  describe('postgres-only behaviour', () => {
    const sinks: AuditSink[] = [];
    const open = async (writer = 'pod-a', extra: Record<string, unknown> = {}): Promise<AuditSink> => {
      const s = await openPostgresAuditSink({ url: gateUrl, writer, lingerMs: 0, ...extra });
      sinks.push(s);
      return s;
    };
    beforeEach(freshStore);
    afterEach(async () => {
      await Promise.all(sinks.splice(0).map((s) => s.close().catch(() => undefined)));
    });

    it('is append-only by construction: the gate role cannot UPDATE, DELETE or TRUNCATE, and the owner is refused by the triggers', async () => {
      const s = await open();
      await s.append(report(1));
      for (const q of [
        `UPDATE ${AUDIT_TABLE} SET decision = 'ALLOW'`,
        `DELETE FROM ${AUDIT_TABLE}`,
        `TRUNCATE ${AUDIT_TABLE}`,
      ]) {
        const asGate = await rejection(cluster.sql(q, [], gateUrl));
        expect(asGate.message, `gate: ${q}`).to.match(/permission denied/);
        const asOwner = await rejection(cluster.sql(q, [], ownerUrl));
        expect(asOwner.message, `owner: ${q}`).to.match(/append-only: (UPDATE|DELETE|TRUNCATE) refused/);
      }
      expect(await verifyChains(s.readRaw())).to.deep.include({ ok: true, records: 1 });
    });

    it('keeps checkpoints append-only too: the gate role may only INSERT and SELECT them, the triggers refuse the owner, the board is the newest row per writer', async () => {
      const s = (await open('pod-a')) as Awaited<ReturnType<typeof openPg>>;
      await s.append(report(1));
      const { checkpointText } = await import('../../src/core/tlog/checkpoint.js');
      const { signNoteText } = await import('../../src/core/tlog/signed-note.js');
      const { generateKeyPairSync } = await import('node:crypto');
      const k = generateKeyPairSync('ed25519');
      const note = (size: number) => {
        const text = checkpointText({ origin: 'migration-gate/c/pod-a', size, root: Buffer.alloc(32) });
        return `${text}\n${signNoteText(text, 'migration-gate/c', k.privateKey, k.publicKey)}`;
      };
      await s.board.put({ writer: 'pod-a', note: note(1), signed_at: 'a' });
      await s.board.put({ writer: 'pod-a', note: note(2), signed_at: 'b' });
      await s.board.put({ writer: 'pod-b', note: note(3), signed_at: 'c' });
      // A row whose entry is not a board entry is not shown; a note that is no checkpoint is refused.
      await cluster.sql(
        `INSERT INTO ${CHECKPOINT_TABLE} (writer, kind, size, note, entry) VALUES ('pod-c', 'latest', 1, 'x', '{"writer":7}')`,
        [],
        gateUrl,
      );
      expect(
        (await rejection(s.board.put({ writer: 'pod-d', note: 'nonsense', signed_at: 'd' }))).message,
      ).to.match(/not a signed checkpoint note/);
      expect((await s.board.list()).map((e) => [e.writer, e.signed_at]).sort()).to.deep.equal([
        ['pod-a', 'b'],
        ['pod-b', 'c'],
      ]);
      for (const q of [
        `UPDATE ${CHECKPOINT_TABLE} SET note = 'x'`,
        `DELETE FROM ${CHECKPOINT_TABLE}`,
        `TRUNCATE ${CHECKPOINT_TABLE}`,
      ]) {
        expect((await rejection(cluster.sql(q, [], gateUrl))).message, `gate: ${q}`).to.match(
          /permission denied/,
        );
        expect((await rejection(cluster.sql(q, [], ownerUrl))).message, `owner: ${q}`).to.match(
          /append-only: (UPDATE|DELETE|TRUNCATE) refused/,
        );
      }
      // The gate does not start on a checkpoint table that is not guarded.
      const admin = ownerUrl.replace('mg_owner@', 'postgres@');
      await cluster.sql(`GRANT DELETE ON ${CHECKPOINT_TABLE} TO ${GATE_ROLE}`, [], admin);
      expect((await rejection(open('pod-x'))).message).to.match(
        /may DELETE migration_gate_audit_checkpoints; it must have INSERT and SELECT only/,
      );
      await setupPostgresAuditStore({ url: ownerUrl, gateRole: GATE_ROLE });
      await cluster.sql(
        `ALTER TABLE ${CHECKPOINT_TABLE} DISABLE TRIGGER ${CHECKPOINT_TABLE}_no_change`,
        [],
        admin,
      );
      expect((await rejection(open('pod-x'))).message).to.match(
        /append-only triggers of migration_gate_audit_checkpoints are missing or disabled/,
      );
      await cluster.sql(
        `ALTER TABLE ${CHECKPOINT_TABLE} ENABLE TRIGGER ${CHECKPOINT_TABLE}_no_change`,
        [],
        admin,
      );
      await cluster.sql(`DROP TABLE ${CHECKPOINT_TABLE}`, [], admin);
      expect((await rejection(open('pod-x'))).message).to.match(
        /table migration_gate_audit_checkpoints does not exist: create it with `migration-gate audit pg-setup`/,
      );
    });

    it('pg-setup fills the rule and correlation columns of rows written before they existed, and leaves the guards on', async () => {
      const s = await open();
      await s.append(
        report(1, {
          correlation_id: 'corr-old',
          findings: [{ rule: 'r-old', severity: 'high', action: 'block', message: 'm' }],
        }),
      );
      await s.append(report(2));
      const admin = ownerUrl.replace('mg_owner@', 'postgres@');
      await cluster.sql(
        `ALTER TABLE ${AUDIT_TABLE} DROP COLUMN rules, DROP COLUMN correlation_id`,
        [],
        admin,
      );
      await setupPostgresAuditStore({ url: ownerUrl, gateRole: GATE_ROLE });
      const { queryAudit } = await import('../../src/services/audit/read-audit.js');
      expect((await queryAudit(s, { rule: 'r-old' })).items.map((r) => r.seq)).to.deep.equal([1]);
      expect((await queryAudit(s, { request_id: 'corr-old' })).items.map((r) => r.seq)).to.deep.equal([1]);
      expect((await rejection(cluster.sql(`DELETE FROM ${AUDIT_TABLE}`, [], ownerUrl))).message).to.match(
        /append-only/,
      );
      expect((await s.append(report(3))).seq).to.equal(3);
    });

    it('refuses to start on a store that is not append-only for its role, naming why', async () => {
      const admin = ownerUrl.replace('mg_owner@', 'postgres@');
      await cluster.sql(`GRANT UPDATE ON ${AUDIT_TABLE} TO ${GATE_ROLE}`, [], admin);
      expect((await rejection(open())).message).to.match(/may UPDATE .*INSERT and SELECT only/);
      await setupPostgresAuditStore({ url: ownerUrl, gateRole: GATE_ROLE }); // repairs the grant
      await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} DISABLE TRIGGER ${AUDIT_TABLE}_no_truncate`, [], admin);
      expect((await rejection(open())).message).to.match(/append-only triggers .* missing or disabled/);
      await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} ENABLE TRIGGER ${AUDIT_TABLE}_no_truncate`, [], admin);
      // The owner itself, and a superuser, may not be the gate's role.
      expect((await rejection(openPostgresAuditSink({ url: ownerUrl, writer: 'x' }))).message).to.match(
        /owns migration_gate_audit/,
      );
      expect((await rejection(openPostgresAuditSink({ url: admin, writer: 'x' }))).message).to.match(
        /superuser/,
      );
      await cluster.sql(`DROP TABLE ${AUDIT_TABLE}`, [], admin);
      expect((await rejection(open())).message).to.match(
        /does not exist: create it with `migration-gate audit pg-setup`/,
      );
      expect((await open().catch((e: Error) => e)) instanceof Error).to.equal(true);
    });

    it('two processes with the same writer id cannot fork its chain: the second batch is refused, nothing is overwritten', async () => {
      const a = await open('same');
      const b = await open('same');
      await a.append(report(1));
      const err = await rejection(b.append(report(2)));
      expect(err.code).to.equal('audit-unavailable');
      expect(err.message).to.match(/duplicate key/);
      expect(b.health().ok).to.equal(false);
      // b re-reads the head before its next write and continues the one chain.
      expect((await b.append(report(3))).seq).to.equal(2);
      expect(await verifyChains(a.readRaw())).to.deep.include({ ok: true, records: 2 });
    });

    it('a commit whose answer was lost is adopted, not written twice; one that did not land is refused', async () => {
      const s = await open();
      await s.append(report(1));
      // Kill the sink's connections right as the next INSERT commits: the answer may be lost either way.
      const admin = ownerUrl.replace('mg_owner@', 'postgres@');
      const killer = setInterval(
        () =>
          void cluster
            .sql(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${GATE_ROLE}'`,
              [],
              admin,
            )
            .catch(() => undefined),
        2,
      );
      const outcomes: string[] = [];
      try {
        for (let i = 2; i < 25; i++) {
          outcomes.push(
            await s.append(report(i)).then(
              () => 'ok',
              (e: Error) => e.message,
            ),
          );
        }
      } finally {
        clearInterval(killer);
        await new Promise((r) => setTimeout(r, 200)); // kills already sent land before we read
      }
      const acked = outcomes.filter((o) => o === 'ok').length;
      const v = await verifyChains(s.readRaw());
      expect(v.ok, JSON.stringify(v.first_bad)).to.equal(true);
      // Every acknowledged record is stored, and nothing is stored twice (the chain would break).
      expect(v.records).to.be.at.least(1 + acked);
      expect(
        outcomes.filter((o) => o !== 'ok').every((o) => /audit PostgreSQL write failed/.test(o)),
      ).to.equal(true);
      expect((await s.append(report(99))).seq).to.equal(v.records + 1);
    });

    it('every filter and cursor is an exact index range: EXPLAIN ANALYZE shows index scans, no sequential scan, and no row read only to be filtered out', async () => {
      const admin = ownerUrl.replace('mg_owner@', 'postgres@');
      await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} DISABLE TRIGGER USER`, [], admin);
      await cluster.sql(
        `INSERT INTO ${AUDIT_TABLE} SELECT 'w' || (g % 3), g, md5(g::text), md5(g::text), 'r' || g, 1700000000000 + g * 1000,
        CASE WHEN g % 2 = 0 THEN 'T1' ELSE 'T2' END, CASE WHEN g % 3 = 0 THEN 'ALLOW' ELSE 'BLOCK' END, 'app-' || (g % 50), '{}' FROM generate_series(1, 50000) g`,
        [],
        admin,
      );
      await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} ENABLE TRIGGER USER`, [], admin);
      await cluster.sql(`ANALYZE ${AUDIT_TABLE}`, [], admin);
      const { pageSql } = await import('../../src/adapters/postgres/pg-audit-query.js');
      const { encodeContinue } = await import('../../src/core/audit-query.js');
      const cont = encodeContinue({
        timestamp: new Date(1700000000000 + 25000 * 1000).toISOString(),
        writer: 'w1',
        seq: 25000,
      });
      // app-7 rows are all odd (T2): app-7 with T1 matches nothing, which an index on app_id alone
      // answers by reading all 1,000 app-7 rows; every combination here must read only what it returns.
      const queries: Parameters<typeof pageSql>[0][] = [
        {},
        { scenario: 'T1' },
        { decision: 'ALLOW' },
        { app_id: 'app-7' },
        { since: '2023-11-15T00:00:00Z' },
        { continue: cont },
        { app_id: 'app-7', scenario: 'T1' },
        { scenario: 'T2', decision: 'ALLOW' },
        { scenario: 'T1', decision: 'BLOCK', app_id: 'app-8', since: '2023-11-15T00:00:00Z' },
        { decision: 'BLOCK', continue: cont },
        { app_id: 'app-7', scenario: 'T1', continue: cont },
      ];
      for (const q of queries) {
        const { sql } = pageSql({ ...q, limit: 50 });
        const plan = (
          await cluster.sql<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE ${sql.text}`, sql.values, admin)
        )
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        expect(plan, JSON.stringify(q)).to.match(/Index Scan/);
        expect(plan, JSON.stringify(q)).to.not.match(/Seq Scan|Bitmap/);
        // The cursor's own millisecond may hold a row before the cursor (one here); nothing else is read to be dropped.
        const removed = [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].reduce(
          (a, m) => a + Number(m[1]),
          0,
        );
        expect(removed, `${JSON.stringify(q)}\n${plan}`).to.be.at.most(q.continue ? 4 : 0);
      }
      const plan = (
        await cluster.sql<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT line FROM ${AUDIT_TABLE} WHERE request_id = $1`,
          ['r5'],
          admin,
        )
      )
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).to.match(/Index (Only )?Scan|Bitmap Index Scan/);
    });

    it('is an archive target: sealed ConfigMap segments land byte for byte, re-runs are idempotent, a conflicting row stops the delete', async () => {
      const { FakeConfigMapStore } = await import('../unit/audit/configmap-fake-store.js');
      const { openConfigMapAuditSink } = await import('../../src/adapters/audit/configmap-sink.js');
      const { archiveSealedSegments } = await import('../../src/adapters/audit/configmap-archiver.js');
      const { postgresArchive } = await import('../../src/adapters/postgres/pg-archive.js');
      const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
      const store = new FakeConfigMapStore();
      const cm = await openConfigMapAuditSink({
        store,
        writer: 'cm-writer',
        lingerMs: 0,
        segmentMaxBytes: 2048,
      });
      for (let i = 1; i <= 20; i++) await cm.append(report(i));
      const target = await postgresArchive(gateUrl, silent);
      try {
        const run = await archiveSealedSegments({
          store,
          targets: [target],
          clock: () => new Date(),
          logger: silent,
        });
        expect(run.problems).to.deep.equal([]);
        expect(run.archived.length).to.be.greaterThan(1);
        const pgSink = await open('reader');
        // Archive (PostgreSQL) + live (ConfigMaps) verify as one chain from genesis.
        async function* both() {
          for await (const e of pgSink.readRaw()) yield e;
          for await (const e of cm.readRaw()) yield e;
        }
        expect(await verifyChains(both())).to.deep.include({ ok: true, records: 20 });
        // A forged row where the next segment's records go: the archiver must not delete that segment.
        for (let i = 21; i <= 40; i++) await cm.append(report(i));
        const next = [...store.objects.keys()].filter((n) => n.includes('cm-writer')).sort()[0]!;
        const firstSeq = (
          JSON.parse(store.objects.get(next)!.data['records.jsonl']!.split('\n')[0]!) as { seq: number }
        ).seq;
        await cluster.sql(
          `INSERT INTO ${AUDIT_TABLE} (writer, seq, hash, prev_hash, request_id, ts_ms, scenario, decision, app_id, line) VALUES ('cm-writer', $1, 'x', 'x', 'x', 0, 'T1', 'ALLOW', null, 'forged')`,
          [firstSeq],
          gateUrl,
        );
        const second = await archiveSealedSegments({
          store,
          targets: [target],
          clock: () => new Date(),
          logger: silent,
        });
        expect(second.problems[0]!.problem).to.match(/holds other records/);
        expect(store.objects.has(next)).to.equal(true);
      } finally {
        await target.close();
        await cm.close();
      }
    });

    it('never shows the password of its URL: not in health, errors or logs', async () => {
      const logged: string[] = [];
      const logger: Logger = {
        debug() {},
        info: (m, f) => logged.push(m + JSON.stringify(f)),
        warn: (m, f) => logged.push(m + JSON.stringify(f)),
        error: (m, f) => logged.push(m + JSON.stringify(f)),
      };
      const s = await open('pod-a', { logger });
      await s.append(report(1));
      const wrong = gateUrl.replace(encodeURIComponent(GATE_PASSWORD), 'wrong-password-123');
      const err = await rejection(openPostgresAuditSink({ url: wrong, writer: 'x', logger }));
      const seen = [s.health().detail, err.message, ...logged].join('\n');
      expect(seen).to.contain('127.0.0.1');
      expect(seen).to.not.contain(GATE_PASSWORD);
      expect(seen).to.not.contain('wrong-password-123');
    });
  });
});
