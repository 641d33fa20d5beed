// Checkpoints with the PostgreSQL store, against a real PostgreSQL 15:
//   - as an archive target: the archiver exports sealed ConfigMap segments
//     (apiserver fake) into PostgreSQL with each segment's seal checkpoint;
//     `migration-gate audit verify --archive-postgres --key PUB` verifies
//     them offline with the public key alone and names a rewritten record,
//     a dropped newest segment, a forged checkpoint, an archive without any;
//     archive + live ConfigMap segments verify as one tree per writer;
//   - as the sink of two running gates (the real app) with a witness: each
//     gate's status page shows both writers' latest checkpoints, from the
//     checkpoint table, and that the witness agrees.
import { expect } from 'chai';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { configMapCheckpointBoard } from '../../src/adapters/audit/configmap-checkpoint-board.js';
import { archiveSealedSegments } from '../../src/adapters/audit/configmap-archiver.js';
import { openPostgresArchiveReader, postgresArchive } from '../../src/adapters/postgres/pg-archive.js';
import { putSealedCheckpoint } from '../../src/adapters/postgres/pg-checkpoints.js';
import { setupPostgresAuditStore } from '../../src/adapters/postgres/pg-setup.js';
import { AUDIT_TABLE, CHECKPOINT_TABLE } from '../../src/adapters/postgres/pg-schema.js';
import { startWitness } from '../../src/adapters/witness/witness-server.js';
import { verifyLogAgainst } from '../../src/cli/audit-tlog.js';
import { openCheckpoint } from '../../src/core/tlog/checkpoint.js';
import {
  encodeVerifierKey,
  parseVerifierKey,
  SIG_TYPE_COSIGNATURE,
  verifierFor,
} from '../../src/core/tlog/signed-note.js';
import type { AuditSink } from '../../src/core/ports/audit.js';
import { runCli } from '../support/cli-process.js';
import { sealingWriter } from '../support/sealing-writer.js';
import { startGate, type RunningGate } from '../support/gate-harness.js';
import { GATE_PASSWORD, GATE_ROLE, startPgCluster, type PgCluster } from '../support/pg/pg-cluster.js';
import { rejection } from '../support/rejection.js';
import { report } from '../unit/audit/report-fixture.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('PostgreSQL store and signed checkpoints (real PostgreSQL 15)', function () {
  this.timeout(120_000);
  let cluster: PgCluster;
  let dir: string;
  let dbNo = 0;
  /** A fresh database with the tables set up; the gate role's URL and the superuser's. */
  const freshDb = async (): Promise<{ gateUrl: string; admin: string }> => {
    dbNo += 1;
    const db = `cp_${dbNo}`;
    await cluster.sql(`CREATE DATABASE ${db} OWNER mg_owner`);
    const ownerUrl = cluster.ownerUrl.replace('/audit?', `/${db}?`);
    await setupPostgresAuditStore({ url: ownerUrl, gateRole: GATE_ROLE });
    return {
      gateUrl: cluster.gateUrl.replace(/\/audit$/, `/${db}`),
      admin: ownerUrl.replace('mg_owner@', 'postgres@'),
    };
  };
  before(async () => {
    cluster = await startPgCluster({ fsync: false });
    dir = await mkdtemp(path.join(tmpdir(), 'mg-pg-cp-'));
  });
  after(async () => {
    cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('as an archive target: segments go in with their seal checkpoints, verified offline', () => {
    let db: { gateUrl: string; admin: string };
    let keyFile: string;
    let archived: string[];
    let live: AuditSink;
    let board: ReturnType<typeof configMapCheckpointBoard>;
    const verify = (extra: string[] = [], url = db.gateUrl) =>
      runCli(['audit', 'verify', '--archive-postgres', ...extra], {
        env: { GATE_AUDIT_ARCHIVE_POSTGRES_URL: url },
      });
    /** Runs `fn` with the table's guard off (a superuser's attack), then puts it back. */
    const unguarded = async (table: string, fn: () => Promise<unknown>) => {
      await cluster.sql(`ALTER TABLE ${table} DISABLE TRIGGER USER`, [], db.admin);
      try {
        await fn();
      } finally {
        await cluster.sql(`ALTER TABLE ${table} ENABLE TRIGGER USER`, [], db.admin);
      }
    };

    before(async () => {
      db = await freshDb();
      const w = await sealingWriter();
      const { store, raw, trees } = w;
      board = w.board;
      keyFile = path.join(dir, 'audit.pub');
      await writeFile(keyFile, `${trees.verifierKey}\n`);
      const target = await postgresArchive(db.gateUrl, silent);
      try {
        const run = { clock: () => new Date(), logger: silent, board, store, targets: [target] };
        const first = await archiveSealedSegments(run);
        expect(first.problems).to.deep.equal([]);
        archived = first.archived;
        // A re-run (as after a crash between export and delete) stores nothing twice.
        expect((await archiveSealedSegments(run)).problems).to.deep.equal([]);
      } finally {
        await target.close();
      }
      live = raw;
    });
    after(() => live.close());

    it("stores each archived segment's seal checkpoint (of exactly its last record) once", async () => {
      expect(archived.length).to.be.greaterThan(2);
      const rows = await cluster.sql<{ writer: string; size: string; note: string; entry: string }>(
        `SELECT writer, size::text AS size, note, entry FROM ${CHECKPOINT_TABLE} c WHERE kind = 'sealed' ORDER BY c.size`,
        [],
        db.admin,
      );
      expect(rows.map((r) => JSON.parse(r.entry).segment)).to.deep.equal(archived);
      const [top] = await cluster.sql<{ max: string }>(
        `SELECT max(seq)::text AS max FROM ${AUDIT_TABLE}`,
        [],
        db.admin,
      );
      expect(rows.at(-1)!.size).to.equal(top!.max);
      expect(rows[0]!.note.split('\n').slice(0, 2)).to.deep.equal(['migration-gate/c/pod-a', rows[0]!.size]);
    });

    it('a different checkpoint of a size already stored is refused (the segment is not deleted)', async () => {
      const [row] = await cluster.sql<{ size: string; note: string }>(
        `SELECT size::text AS size, note FROM ${CHECKPOINT_TABLE} c WHERE kind = 'sealed' ORDER BY c.size LIMIT 1`,
        [],
        db.admin,
      );
      const other = row!.note.replace(/\n— .*\n$/, '\n— migration-gate/c AAAAAAAAAAAAAAAA\n');
      const pool = new pg.Pool({ connectionString: db.gateUrl, max: 1 });
      try {
        const seg = { writer: 'pod-a', name: 'x', last: { seq: Number(row!.size) } };
        expect((await rejection(putSealedCheckpoint(pool, seg, other))).message).to.match(
          /holds another checkpoint of pod-a at size \d+ than segment x's; not deleting it/,
        );
        await putSealedCheckpoint(pool, seg, row!.note); // the same one again: fine
        expect(
          (await rejection(putSealedCheckpoint(pool, { ...seg, last: { seq: 1 } }, row!.note))).message,
        ).to.match(/is of size \d+, not 1/);
      } finally {
        await pool.end();
      }
    });

    it('audit verify --archive-postgres --key PUB verifies the archive offline against them', async () => {
      const r = await verify(['--key', keyFile]);
      expect(r.code, r.stderr).to.equal(0);
      const out = JSON.parse(r.stdout) as {
        ok: boolean;
        archived_checkpoints: number;
        checkpoints: { status: string }[];
      };
      expect(out.ok).to.equal(true);
      expect(out.archived_checkpoints).to.equal(archived.length);
      expect(out.checkpoints.every((c) => c.status === 'ok')).to.equal(true);
      // Without the key: the hash chains alone.
      const chains = await verify();
      expect(chains.code, chains.stderr).to.equal(0);
      expect(JSON.parse(chains.stdout)).to.include({ ok: true });
    });

    it('archive + live ConfigMap segments verify as one tree against the stored and the board checkpoints', async () => {
      const reader = await openPostgresArchiveReader(db.gateUrl);
      try {
        const key = parseVerifierKey((await readFile(keyFile, 'utf8')).trim());
        const notes = [
          ...(await reader.checkpoints()).map((c) => c.note),
          ...(await board.list()).map((e) => e.note),
        ];
        const checkpoints = notes.map((n) => {
          const o = openCheckpoint(n, key);
          if (!o.ok) throw new Error(o.problem);
          return o.value.checkpoint;
        });
        async function* both() {
          yield* reader.entries();
          yield* live.readRaw();
        }
        const v = await verifyLogAgainst(key, checkpoints, both());
        expect(v.ok, JSON.stringify(v.first_bad)).to.equal(true);
        expect(v.uncovered_writers).to.deep.equal([]);
        // The board's checkpoint covers all 20 records: archived and live together.
        expect(Math.max(...checkpoints.map((c) => c.size))).to.equal(20);
      } finally {
        await reader.close();
      }
    });

    it('names a record rewritten in the archive', async () => {
      const [row] = await cluster.sql<{ seq: string }>(
        `SELECT seq::text AS seq FROM ${AUDIT_TABLE} WHERE line LIKE '%"decision":"BLOCK"%' ORDER BY seq LIMIT 1 OFFSET 2`,
        [],
        db.admin,
      );
      const swap = (from: string, to: string) =>
        unguarded(AUDIT_TABLE, () =>
          cluster.sql(
            `UPDATE ${AUDIT_TABLE} SET line = replace(line, $2, $3) WHERE seq = $1`,
            [row!.seq, from, to],
            db.admin,
          ),
        );
      await swap('"decision":"BLOCK"', '"decision":"ALLOW"');
      try {
        const r = await verify(['--key', keyFile]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain(`first bad record: postgres ${AUDIT_TABLE} writer pod-a seq ${row!.seq}`);
      } finally {
        await swap('"decision":"ALLOW"', '"decision":"BLOCK"');
      }
      expect((await verify(['--key', keyFile])).code).to.equal(0);
    });

    it('detects the newest archived segment dropped (its checkpoint left behind: truncation)', async () => {
      const [last, prev] = await cluster.sql<{ size: string }>(
        `SELECT size::text AS size FROM ${CHECKPOINT_TABLE} c WHERE kind = 'sealed' ORDER BY c.size DESC LIMIT 2`,
        [],
        db.admin,
      );
      const saved = await cluster.sql(
        `SELECT * FROM ${AUDIT_TABLE} WHERE seq > $1 ORDER BY seq`,
        [prev!.size],
        db.admin,
      );
      expect(saved.length).to.be.greaterThan(0);
      await unguarded(AUDIT_TABLE, () =>
        cluster.sql(`DELETE FROM ${AUDIT_TABLE} WHERE seq > $1`, [prev!.size], db.admin),
      );
      try {
        const r = await verify(['--key', keyFile]);
        expect(r.code).to.equal(1);
        const statuses = (JSON.parse(r.stdout) as { checkpoints: { status: string; size: number }[] })
          .checkpoints;
        expect(statuses.find((c) => c.size === Number(last!.size))).to.include({ status: 'truncated' });
      } finally {
        await cluster.sql(
          `INSERT INTO ${AUDIT_TABLE} SELECT * FROM json_populate_recordset(NULL::${AUDIT_TABLE}, $1::json)`,
          [JSON.stringify(saved)],
          db.admin,
        );
      }
      expect((await verify(['--key', keyFile])).code).to.equal(0);
    });

    it('refuses a checkpoint not signed by the key, and an archive that carries none', async () => {
      const [row] = await cluster.sql<{ id: string; note: string }>(
        `SELECT id::text AS id, note FROM ${CHECKPOINT_TABLE} c WHERE kind = 'sealed' ORDER BY c.size LIMIT 1`,
        [],
        db.admin,
      );
      const forged = row!.note.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`);
      const setNote = (note: string) =>
        unguarded(CHECKPOINT_TABLE, () =>
          cluster.sql(`UPDATE ${CHECKPOINT_TABLE} SET note = $2 WHERE id = $1`, [row!.id, note], db.admin),
        );
      await setNote(forged);
      try {
        const r = await verify(['--key', keyFile]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
          /archived checkpoint migration_gate_audit_checkpoints sealed pod-a size \d+: no valid signature/,
        );
      } finally {
        await setNote(row!.note);
      }
      const saved = await cluster.sql(`SELECT * FROM ${CHECKPOINT_TABLE}`, [], db.admin);
      await unguarded(CHECKPOINT_TABLE, () => cluster.sql(`DELETE FROM ${CHECKPOINT_TABLE}`, [], db.admin));
      try {
        const r = await verify(['--key', keyFile]);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(
          /--archive-postgres \(PostgreSQL 127\.0\.0\.1:\d+\/cp_\d+\) carries no signed checkpoint/,
        );
      } finally {
        await cluster.sql(
          `INSERT INTO ${CHECKPOINT_TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::${CHECKPOINT_TABLE}, $1::json)`,
          [JSON.stringify(saved)],
          db.admin,
        );
      }
    });

    it('takes its URL from the environment only, and never shows its password', async () => {
      const none = await runCli(['audit', 'verify', '--archive-postgres', '--key', keyFile]);
      expect(none.code).to.equal(2);
      expect(none.stderr).to.match(/GATE_AUDIT_ARCHIVE_POSTGRES_URL/);
      const wrong = db.gateUrl.replace(encodeURIComponent(GATE_PASSWORD), 'wrong-pw-4711-secret');
      const r = await verify(['--key', keyFile], wrong);
      expect(r.code).to.equal(3);
      expect(r.stderr).to.match(/password authentication failed/);
      expect(r.stdout + r.stderr).to.not.contain('wrong-pw-4711-secret');
      const both = await runCli(['audit', 'verify', '--archive-postgres', '--archive', dir]);
      expect(both.code).to.equal(2);
    });
  });

  describe('as the sink of two gates with a witness: the status page shows every writer and the witness', () => {
    const gates: RunningGate[] = [];
    let witness: Awaited<ReturnType<typeof startWitness>>;
    after(async () => {
      for (const g of gates) await g.stop();
      await witness?.close();
    });

    it("each gate's status page shows both writers' latest checkpoints from the checkpoint table, and that the witness agrees", async () => {
      const db = await freshDb();
      const { privateKey } = generateKeyPairSync('ed25519');
      const keyPath = path.join(dir, 'gate-signing.key');
      await writeFile(keyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      const gateVkey = encodeVerifierKey(verifierFor('migration-gate/pgtest', createPublicKey(privateKey)));
      const witnessKeys = generateKeyPairSync('ed25519');
      witness = await startWitness(
        {
          name: 'test-witness',
          privateKey: witnessKeys.privateKey,
          publicKey: witnessKeys.publicKey,
          logKeys: [parseVerifierKey(gateVkey)],
          stateFile: path.join(dir, 'witness-state.json'),
          now: () => new Date(),
          log: () => {},
        },
        0,
      );
      const env = {
        GATE_AUDIT_SINK: 'postgres',
        GATE_AUDIT_POSTGRES_URL: db.gateUrl,
        GATE_AUDIT_SIGNING_KEY_FILE: keyPath,
        GATE_CLUSTER_NAME: 'pgtest',
        GATE_AUDIT_WITNESS_URL: `http://127.0.0.1:${witness.port}`,
        GATE_AUDIT_WITNESS_KEY: encodeVerifierKey(
          verifierFor('test-witness', witnessKeys.publicKey, SIG_TYPE_COSIGNATURE),
        ),
        GATE_AUDIT_CHECKPOINT_SECONDS: '3600',
      };
      for (const writerId of ['gate-a', 'gate-b']) gates.push(await startGate(env, { writerId }));
      let n = 0;
      for (const [i, g] of gates.entries()) {
        for (let k = 0; k < 3 + i; k++) await g.app.gate.audit.append(report(++n));
        await g.app.auditTrees.tick();
        await g.app.auditTrees.settled();
      }
      const rows = await cluster.sql<{ writer: string }>(
        `SELECT writer FROM ${CHECKPOINT_TABLE} WHERE kind = 'latest'`,
        [],
        db.admin,
      );
      expect([...new Set(rows.map((r) => r.writer))].sort()).to.deep.equal(['gate-a', 'gate-b']);
      for (const g of gates) {
        const page = await overview(g);
        expect(page).to.match(/<li data-writer="gate-a"><strong>gate-a<\/strong>: size <span data-size="3">/);
        expect(page).to.match(/<li data-writer="gate-b"><strong>gate-b<\/strong>: size <span data-size="4">/);
        // Its own witness result, and the peer's as the peer posted it.
        expect(page).to.include('data-witness="agrees"');
        expect(page).to.include('data-peer-witness="agrees"');
        expect(page).to.not.match(/DISAGREES/);
      }
      // And the API: gate-a proves gate-b's decision against gate-b's checkpoint from the table.
      const proof = await fetch(`${gates[0]!.url}/api/v1/audit/proof?request_id=req-5`, {
        headers: gates[0]!.auth,
      });
      expect(proof.status, await proof.clone().text()).to.equal(200);
    });
  });
});

/** The overview page as a logged-in operator sees it. */
async function overview(gate: RunningGate): Promise<string> {
  const login = await fetch(`${gate.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: 'test-token-0123456789abcdef', next: '/' }).toString(),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return (await fetch(`${gate.url}/`, { headers: { cookie } })).text();
}
