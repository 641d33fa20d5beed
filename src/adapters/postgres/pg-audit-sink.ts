// Audit log in PostgreSQL, for installations that outgrow etcd (DESIGN.md,
// "Audit log"). Same records, same chain per writer, same group commit as
// the file and ConfigMap sinks: one multi-row INSERT per batch, one
// transaction, acknowledged only after PostgreSQL answered the commit.
//
// Several replicas write at once, each its own chain; (writer, seq) is the
// primary key, so two processes that share a writer id cannot fork a chain:
// the second INSERT fails and that batch is refused (fail closed).
//
// A commit whose answer is lost (connection reset, timeout) may or may not
// have landed. The sink re-reads its chain head and adopts the batch if it
// is there, so a record is never written twice nor acknowledged unwritten.
//
// The connection URL is a secret (it may hold a password): it is never
// logged, and health and errors name only host and database.
import { createHash } from 'node:crypto';
import pg from 'pg';
import {
  chainBatch,
  GENESIS_HEAD,
  parseAuditLine,
  type AuditableReport,
  type ChainHead,
} from '../../core/audit-record.js';
import type { AuditPage, AuditQuery } from '../../core/audit-query.js';
import { isAlertRecord, type AuditRecord, type StoredRecord } from '../../core/contracts/audit.js';
import type { AlertEvent } from '../../core/contracts/alert.js';
import type { DecisionReport } from '../../core/contracts/report.js';
import { describeError, GateError } from '../../core/errors.js';
import { assertAuditWriter } from '../../core/audit-writer.js';
import type {
  AuditQueue,
  AuditQueueFactory,
  AuditSink,
  IndexedAuditReads,
  RawAuditEntry,
  SinkHealth,
} from '../../core/ports/audit.js';
import type { Logger } from '../../core/ports/runtime.js';
import type { CheckpointBoard } from '../../core/ports/checkpoints.js';
import { postgresCheckpointBoard } from './pg-checkpoints.js';
import { pageFrom, pageSql, timeMs } from './pg-audit-query.js';
import {
  AUDIT_TABLE,
  RULE_TABLE,
  GUARDED_TABLES,
  guardCheckSql,
  guardProblem,
  type GuardState,
} from './pg-schema.js';

export interface PostgresAuditSinkOptions {
  /** postgres://… (a secret: never logged). */
  url: string;
  writer: string;
  /** The group-commit queue (adapters/audit/report-queue.ts, wired in app.ts): one INSERT per batch it hands over. */
  queue: AuditQueueFactory;
  /** Per statement (ms): a hung server fails the batch instead of holding the verdict. */
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Rows per read while streaming the whole log (verification). */
  readChunk?: number;
  logger?: Logger;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const MAX_REQUEST_LOOKUP = 10_000;

/** host:port/database, for humans; never the user or password. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname === '' ? (u.searchParams.get('host') ?? 'local socket') : u.host;
    return `${host}${u.pathname === '' ? '' : u.pathname}`;
  } catch {
    return 'PostgreSQL (unparseable URL)';
  }
}

/**
 * Whether a failed statement certainly did not commit. pg's errors carry a
 * SQLSTATE when the server answered; a reset or a timeout carries none.
 * Some answers still leave the commit in doubt: a backend terminated by an
 * operator (57), a lost connection (08), a system or internal error (58,
 * XX) may come after the commit record was flushed.
 */
function certainlyRolledBack(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57|58|XX)/.test(code);
}

/** Error text without anything from the URL: pg messages never carry the password, but a host name in our own text must not either. */
export function safeMessage(e: unknown, url: string): string {
  let msg = describeError(e);
  try {
    const u = new URL(url);
    if (u.password !== '')
      msg = msg.split(decodeURIComponent(u.password)).join('***').split(u.password).join('***');
  } catch {
    // not a URL: nothing of it was put into the message by us
  }
  return msg;
}

/** The PostgreSQL sink, and the checkpoint board in the same database (app.ts hands it to the trees). */
export interface PostgresAuditSink extends AuditSink {
  readonly board: CheckpointBoard;
}

class PgAuditSink implements PostgresAuditSink {
  readonly kind = 'postgres';
  readonly indexed: IndexedAuditReads;
  readonly board: CheckpointBoard;
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #target: string;
  readonly #writer: string;
  readonly #readChunk: number;
  readonly #logger: Logger;
  readonly #queue: AuditQueue;
  #head: ChainHead = GENESIS_HEAD;
  /** A failure left the head in doubt: re-read it before the next write. */
  #stale = true;
  #lastError: string | undefined;
  #closing: Promise<void> | undefined;

  constructor(pool: pg.Pool, options: PostgresAuditSinkOptions) {
    this.#pool = pool;
    this.#url = options.url;
    this.#target = describeTarget(options.url);
    this.#writer = options.writer;
    this.#readChunk = options.readChunk ?? 5000;
    this.#logger = options.logger ?? silent;
    this.#queue = options.queue((reports) => this.#flush(reports));
    this.indexed = {
      page: (q) => this.#page(q),
      byRequestId: (id, max) => this.#byRequestId(id, max),
      linesByRequestId: (id) => this.#linesByRequestId(id),
    };
    this.board = postgresCheckpointBoard(pool);
  }

  /** Reads where this writer's chain stands. */
  async resume(): Promise<void> {
    const { rows } = await this.#read<{ seq: string; hash: string }>({
      text: `SELECT seq, hash FROM ${AUDIT_TABLE} WHERE writer = $1 ORDER BY seq DESC LIMIT 1`,
      values: [this.#writer],
    });
    const row = rows[0];
    this.#head = row ? { seq: Number(row.seq), hash: row.hash } : GENESIS_HEAD;
    this.#stale = false;
  }

  append(report: DecisionReport | AlertEvent): Promise<StoredRecord> {
    return this.#queue.append(report);
  }

  async #flush(reports: AuditableReport[]): Promise<AuditRecord[]> {
    try {
      if (this.#stale) await this.resume();
      const before = this.#head;
      const { records, head } = chainBatch(reports, this.#writer, before);
      try {
        await this.#insert(records);
      } catch (e) {
        if (certainlyRolledBack(e)) {
          // Refused and rolled back; a unique violation means someone else holds this chain.
          if ((e as { code?: string }).code === '23505') this.#stale = true;
          throw e;
        }
        this.#stale = true;
        if (!(await this.#landed(before, head))) throw e;
        this.#logger.info(
          'audit PostgreSQL commit landed although its answer was lost; not writing it again',
          { records: records.length },
        );
      }
      this.#head = head;
      this.#healthy();
      return records;
    } catch (e) {
      this.#lastError = safeMessage(e, this.#url);
      throw new GateError('audit-unavailable', `audit PostgreSQL write failed: ${this.#lastError}`);
    }
  }

  /** After an unknown outcome: true if the store's head is the batch's, false if it is still `before`. */
  async #landed(before: ChainHead, after: ChainHead): Promise<boolean> {
    await this.resume();
    if (this.#head.seq === after.seq && this.#head.hash === after.hash) return true;
    if (this.#head.seq === before.seq && this.#head.hash === before.hash) return false;
    throw new GateError(
      'audit-unavailable',
      `audit chain of writer ${this.#writer} is at seq ${this.#head.seq}, this writer expected ${before.seq} or ${after.seq}; is GATE_WRITER_ID shared by two replicas?`,
    );
  }

  #insert(records: StoredRecord[]): Promise<void> {
    return insertRecords(this.#pool, records);
  }

  readRaw(): AsyncIterable<RawAuditEntry> {
    return readAllRecords((q) => this.#read(q), this.#readChunk);
  }

  async #page(query: AuditQuery): Promise<AuditPage> {
    const { sql, limit } = pageSql(query);
    const { rows } = await this.#read<{ line: string }>(sql);
    return pageFrom(parsed(rows), limit);
  }

  async #byRequestId(requestId: string, max: number): Promise<{ records: AuditRecord[]; total: number }> {
    const take = Math.max(0, Math.min(max, MAX_REQUEST_LOOKUP));
    // Oldest first as the scan finds them: writer, then seq.
    const { rows } = await this.#read<{ line: string; total: string }>({
      // Alert transitions may carry the request id they are about; they are not decisions.
      text: `SELECT line, count(*) OVER () AS total FROM ${AUDIT_TABLE} WHERE request_id = $1 AND scenario <> 'alert' ORDER BY writer, seq LIMIT $2`,
      values: [requestId, Math.max(1, take)],
    });
    const total = rows[0] ? Number(rows[0].total) : 0;
    return { records: parsed(rows).slice(0, take), total };
  }

  async *#linesByRequestId(requestId: string): AsyncGenerator<RawAuditEntry> {
    // Ids may come from callers (X-Request-Id): bounded like the lookup, the rest is not read.
    const { rows } = await this.#read<{ writer: string; seq: string; line: string }>({
      text: `SELECT writer, seq, line FROM ${AUDIT_TABLE} WHERE request_id = $1 ORDER BY writer, seq LIMIT $2`,
      values: [requestId, MAX_REQUEST_LOOKUP],
    });
    for (const row of rows)
      yield { location: `postgres ${AUDIT_TABLE} writer ${row.writer} seq ${row.seq}`, text: row.line };
  }

  async #read<R extends pg.QueryResultRow>(q: {
    text: string;
    values: unknown[];
  }): Promise<pg.QueryResult<R>> {
    // Named: each connection prepares the statement once and keeps its plan.
    // The texts are a small closed set (one per filter combination), so is the number of names.
    const name = `mg-${createHash('sha256').update(q.text).digest('hex').slice(0, 20)}`;
    // Reads are idempotent: one retry on a fresh connection when the pooled one turned out dead.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#pool.query<R>({ name, text: q.text, values: q.values });
      } catch (e) {
        if (attempt < 2 && !certainlyRolledBack(e)) continue;
        throw new GateError(
          'audit-unavailable',
          `audit PostgreSQL read failed: ${safeMessage(e, this.#url)}`,
        );
      }
    }
  }

  #healthy(): void {
    if (this.#lastError !== undefined)
      this.#logger.info('audit PostgreSQL writable again', { target: this.#target });
    this.#lastError = undefined;
  }

  health(): SinkHealth {
    const where = `audit PostgreSQL ${this.#target}`;
    if (this.#closing) return { ok: false, detail: `${where}: closed` };
    if (this.#lastError !== undefined)
      return { ok: false, detail: `${where}: last write failed: ${this.#lastError}` };
    return { ok: true, detail: `${where}: writer ${this.#writer} at seq ${this.#head.seq}` };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.#queue.close();
      } finally {
        await this.#pool.end();
      }
    })();
    return this.#closing;
  }
}

/**
 * Every stored record, writer by writer, oldest first: keyset pages over the
 * primary key, so constant memory whatever the size (the sink's readRaw,
 * and `audit verify --archive-postgres`).
 */
export async function* readAllRecords(
  read: (q: {
    text: string;
    values: unknown[];
  }) => Promise<{ rows: { writer: string; seq: string; line: string }[] }>,
  chunk: number,
): AsyncGenerator<RawAuditEntry> {
  let after: { writer: string; seq: number } | undefined;
  for (;;) {
    const { rows } = await read(
      after
        ? {
            text: `SELECT writer, seq, line FROM ${AUDIT_TABLE} WHERE (writer, seq) > ($1, $2) ORDER BY writer, seq LIMIT $3`,
            values: [after.writer, after.seq, chunk],
          }
        : {
            text: `SELECT writer, seq, line FROM ${AUDIT_TABLE} ORDER BY writer, seq LIMIT $1`,
            values: [chunk],
          },
    );
    for (const row of rows)
      yield { location: `postgres ${AUDIT_TABLE} writer ${row.writer} seq ${row.seq}`, text: row.line };
    const last = rows[rows.length - 1];
    if (!last || rows.length < chunk) return;
    after = { writer: last.writer, seq: Number(last.seq) };
  }
}

/**
 * One multi-row INSERT = one transaction: all of the records or none.
 * `onConflict: 'ignore'` (the archiver re-running) leaves rows already there
 * untouched; the caller compares them.
 */
export async function insertRecords(
  db: Pick<pg.Pool, 'query'>,
  records: StoredRecord[],
  lines?: string[],
  onConflict: 'fail' | 'ignore' = 'fail',
): Promise<void> {
  const cols = {
    writer: [] as string[],
    seq: [] as number[],
    hash: [] as string[],
    prev: [] as string[],
    rid: [] as string[],
    ts: [] as (number | null)[],
    scenario: [] as string[],
    decision: [] as string[],
    app: [] as (string | null)[],
    line: [] as string[],
    correlation: [] as (string | null)[],
    /** Each row's rule ids as a JSON array: unnest() of a text[][] would flatten it. */
    rules: [] as string[],
  };
  records.forEach((r, i) => {
    cols.writer.push(r.writer);
    cols.seq.push(r.seq);
    cols.hash.push(r.hash);
    cols.prev.push(r.prev_hash);
    cols.ts.push(timeMs(r.timestamp));
    if (isAlertRecord(r)) {
      // An alert transition shares the chain; its columns say so, and decision queries skip it.
      cols.rid.push(r.request_id ?? r.event_id);
      cols.scenario.push('alert');
      cols.decision.push(r.transition);
      cols.app.push(null);
      cols.correlation.push(null);
      cols.rules.push('[]');
    } else {
      cols.rid.push(r.request_id);
      cols.scenario.push(r.scenario);
      cols.decision.push(r.decision);
      cols.app.push(r.subject.app_id ?? null);
      cols.correlation.push(r.correlation_id ?? null);
      cols.rules.push(JSON.stringify([...new Set(r.findings.map((f) => f.rule))]));
    }
    // Exactly the line the file and ConfigMap sinks store, without its newline.
    cols.line.push(lines?.[i] ?? JSON.stringify(r));
  });
  // One statement, so one transaction: the records and their rule rows, all or none.
  // Rows an archiver re-run finds already there are not returned, so their rules are not added twice.
  await db.query(
    `WITH ins AS (
       INSERT INTO ${AUDIT_TABLE} (writer, seq, hash, prev_hash, request_id, ts_ms, scenario, decision, app_id, line, correlation_id, rules)
       SELECT u.writer, u.seq, u.hash, u.prev_hash, u.request_id, u.ts_ms, u.scenario, u.decision, u.app_id, u.line, u.correlation_id,
         ARRAY(SELECT jsonb_array_elements_text(u.rules::jsonb))
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         AS u(writer, seq, hash, prev_hash, request_id, ts_ms, scenario, decision, app_id, line, correlation_id, rules)
       ${onConflict === 'ignore' ? 'ON CONFLICT (writer, seq) DO NOTHING' : ''}
       RETURNING writer, seq, ts_ms, rules
     )
     INSERT INTO ${RULE_TABLE} (writer, seq, rule, ts_ms) SELECT ins.writer, ins.seq, r, ins.ts_ms FROM ins CROSS JOIN unnest(ins.rules) r`,
    [
      cols.writer,
      cols.seq,
      cols.hash,
      cols.prev,
      cols.rid,
      cols.ts,
      cols.scenario,
      cols.decision,
      cols.app,
      cols.line,
      cols.correlation,
      cols.rules,
    ],
  );
}

/** Opens a pool and refuses a store that is not append-only for this role, records and checkpoints (shared by the sink and the archive target). */
export async function openGuardedPool(
  url: string,
  logger: Logger,
  statementTimeoutMs = 10_000,
  connectTimeoutMs = 5000,
): Promise<pg.Pool> {
  const target = describeTarget(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: connectTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    statement_timeout: statementTimeoutMs,
    application_name: 'migration-gate',
    // Durability must not depend on the role's or the server's defaults.
    // Custom plans and no JIT: a page is a few index probes, but the generic
    // plan of a named statement (limit and values unknown) is costed as if it
    // read the whole table: it was JIT-compiled (~40 ms per call at 10 M
    // rows, ~100x the query itself), and it cannot tell a rare rule from a
    // common one. Planning a page anew costs well under a millisecond.
    options: '-c synchronous_commit=on -c jit=off -c plan_cache_mode=force_custom_plan',
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (e) =>
    logger.warn('audit PostgreSQL idle connection lost', { target, error: safeMessage(e, url) }),
  );
  try {
    for (const table of GUARDED_TABLES) {
      const { rows } = await pool.query<GuardState>(guardCheckSql(table));
      const problem = guardProblem(rows[0]!, table);
      if (problem !== undefined)
        throw new GateError('config-invalid', `audit PostgreSQL ${target}: ${problem}`);
    }
    return pool;
  } catch (e) {
    await pool.end().catch(() => undefined);
    if (e instanceof GateError) throw e;
    throw new GateError('config-invalid', `audit PostgreSQL ${target}: ${safeMessage(e, url)}`);
  }
}

function parsed(rows: { line: string }[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const row of rows) {
    const line = parseAuditLine(row.line);
    // An unparseable row is skipped, as the scanning path skips it; /audit/verify names it.
    if (line.ok && !isAlertRecord(line.record)) out.push(line.record);
  }
  return out;
}

/**
 * Connects, refuses a store that is not append-only for this role (the
 * table's guards, the role's privileges), and resumes this writer's chain.
 * Any failure stops the start: a gate that cannot keep its history must
 * not come up as if it could.
 */
export async function openPostgresAuditSink(options: PostgresAuditSinkOptions): Promise<PostgresAuditSink> {
  assertAuditWriter(options.writer);
  const logger = options.logger ?? silent;
  const pool = await openGuardedPool(
    options.url,
    logger,
    options.statementTimeoutMs,
    options.connectTimeoutMs,
  );
  try {
    const sink = new PgAuditSink(pool, options);
    await sink.resume();
    logger.info('audit PostgreSQL opened', { writer: options.writer, ...sink.health() });
    return sink;
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new GateError(
      'config-invalid',
      `audit PostgreSQL ${describeTarget(options.url)}: ${safeMessage(e, options.url)}`,
    );
  }
}
