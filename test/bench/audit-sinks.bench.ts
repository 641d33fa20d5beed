// Audit sinks under a fixed decision rate (open loop), each beside the same
// load into an in-memory sink measured in the same run (the baseline: what
// the group-commit queue and the event loop cost without any I/O):
//   - file (fsync per batch), ConfigMap (a real kube-apiserver + etcd from
//     the e2e harness), PostgreSQL (a private PostgreSQL 15, fsync on);
//   - per sink: p50/p99 commit latency, p99 added over the baseline,
//     apiserver writes/s (ConfigMap, target <= 100), PostgreSQL
//     transactions/s, and the bytes the ConfigMap sink put into etcd per
//     1,000 decisions (stored, and sent in writes: each update resends the
//     whole segment, and etcd keeps every revision until compaction);
//   - audit reads on PostgreSQL: p99 of a logs page and of a decision
//     lookup with BENCH_PG_ROWS records (default 10 M) against the same
//     reads on a 1,000-record table.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConfigMapAuditSink } from '../../src/adapters/audit/configmap-sink.js';
import { openFileAuditSink } from '../../src/adapters/audit/file-sink.js';
import type { ConfigMapStore } from '../../src/core/ports/configmaps.js';
import { connectKube } from '../../src/adapters/k8s/kube-connection.js';
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
import { AUDIT_TABLE, RULE_TABLE } from '../../src/adapters/postgres/pg-schema.js';
import type { AuditSink } from '../../src/core/ports/audit.js';
import { queryAudit, findAuditRecords } from '../../src/services/audit/read-audit.js';
import { encodeContinue } from '../../src/core/audit-query.js';
import { pageSql } from '../../src/adapters/postgres/pg-audit-query.js';
import { createMemoryAuditSink } from '../support/memory-audit-sink.js';
import { GATE_ROLE, startPgCluster, type PgCluster } from '../support/pg/pg-cluster.js';
import { report } from '../unit/audit/report-fixture.js';

export interface RateResult {
  decisions: number;
  failed: number;
  seconds: number;
  p50ms: number;
  p99ms: number;
}

const pct = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const round = (n: number): number => Math.round(n * 100) / 100;

/** `rate` appends per second for `seconds`, on a fixed schedule; latency from each append's scheduled time. */
export async function fixedRateAppends(sink: AuditSink, rate: number, seconds: number): Promise<RateResult> {
  const total = rate * seconds;
  const latencies: number[] = [];
  let failed = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const scheduled = t0 + (sent * 1000) / rate;
      pending.push(
        sink.append(report(sent)).then(
          () => {
            latencies.push(performance.now() - scheduled);
          },
          () => {
            failed += 1;
          },
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    decisions: total,
    failed,
    seconds: (performance.now() - t0) / 1000,
    p50ms: round(pct(latencies, 0.5)),
    p99ms: round(pct(latencies, 0.99)),
  };
}

/** Counts the apiserver writes and the bytes they carry. */
function countingStore(store: ConfigMapStore): ConfigMapStore & { writes: number; bytesSent: number } {
  const size = (data: Readonly<Record<string, string>>): number =>
    Object.values(data).reduce((a, v) => a + Buffer.byteLength(v), 0);
  const c = {
    namespace: store.namespace,
    writes: 0,
    bytesSent: 0,
    get: (n: string) => store.get(n),
    list: (s: string) => store.list(s),
    listMeta: (s: string) => store.listMeta(s),
    create: async (cm: Parameters<ConfigMapStore['create']>[0]) => {
      c.writes += 1;
      c.bytesSent += size(cm.data);
      return store.create(cm);
    },
    replace: async (cm: Parameters<ConfigMapStore['replace']>[0]) => {
      c.writes += 1;
      c.bytesSent += size(cm.data);
      return store.replace(cm);
    },
  };
  return c;
}

export interface SinkBench {
  baseline: RateResult;
  file: RateResult;
  configmap?:
    | (RateResult & {
        writesPerSecond: number;
        storedBytesPer1000: number;
        sentBytesPer1000: number;
        etcdDbGrowthPer1000?: number;
      })
    | string;
  postgres: RateResult & { txPerSecond: number };
}

async function pgCommits(cluster: PgCluster, db: string): Promise<number> {
  const [row] = await cluster.sql<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1',
    [db],
  );
  return Number(row?.n ?? 0);
}

export async function benchSinks(
  rate: number,
  seconds: number,
  log: (s: string) => void,
): Promise<SinkBench> {
  const dir = await mkdtemp(join(tmpdir(), 'mg-bench-audit-'));
  const cluster = await startPgCluster();
  try {
    const baseline = await fixedRateAppends(createMemoryAuditSink('bench'), rate, seconds);
    log(`  memory (baseline) done: p99 ${baseline.p99ms} ms`);
    const file = await openFileAuditSink({
      path: join(dir, 'audit.jsonl'),
      writer: 'bench',
      identityCheckMs: 0,
    });
    const fileR = await fixedRateAppends(file, rate, seconds);
    await file.close();
    log(`  file done: p99 ${fileR.p99ms} ms`);

    await setupPostgresAuditStore({ url: cluster.ownerUrl, gateRole: GATE_ROLE });
    const pg = await openPostgresAuditSink({ url: cluster.gateUrl, writer: 'bench' });
    const c0 = await pgCommits(cluster, 'audit');
    const pgR = await fixedRateAppends(pg, rate, seconds);
    const c1 = await pgCommits(cluster, 'audit');
    await pg.close();
    log(`  postgres done: p99 ${pgR.p99ms} ms`);

    let configmap: SinkBench['configmap'];
    try {
      const { startControlPlane } = await import('../e2e/harness/control-plane.js');
      const cp = await startControlPlane();
      try {
        await cp.kubectl(['create', 'namespace', 'bench']);
        const etcdBytes = async (): Promise<number | undefined> => {
          const r = await cp.kubectl(['get', '--raw', '/metrics']);
          const m = /^apiserver_storage_(?:db_total_)?size_bytes\{[^}]*\} ([0-9.e+]+)$/m.exec(r.stdout);
          return m ? Number(m[1]) : undefined;
        };
        const store = countingStore(connectKube({ kubeconfigPath: cp.kubeconfigPath }).configMaps('bench'));
        const cm = await openConfigMapAuditSink({ store, writer: 'bench' });
        const e0 = await etcdBytes();
        const cmR = await fixedRateAppends(cm, rate, seconds);
        const e1 = await etcdBytes();
        let stored = 0;
        for await (const e of cm.readRaw()) stored += Buffer.byteLength(e.text) + 1;
        await cm.close();
        const ok = cmR.decisions - cmR.failed;
        configmap = {
          ...cmR,
          writesPerSecond: round(store.writes / cmR.seconds),
          storedBytesPer1000: Math.round((stored / ok) * 1000),
          sentBytesPer1000: Math.round((store.bytesSent / ok) * 1000),
          ...(e0 !== undefined && e1 !== undefined
            ? { etcdDbGrowthPer1000: Math.round(((e1 - e0) / ok) * 1000) }
            : {}),
        };
        log(`  configmap done: p99 ${cmR.p99ms} ms`);
      } finally {
        await cp.stop();
      }
    } catch (e) {
      configmap = `not measured: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    }
    return {
      baseline,
      file: fileR,
      configmap,
      postgres: { ...pgR, txPerSecond: round((c1 - c0) / pgR.seconds) },
    };
  } finally {
    cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

type ReadFigures = {
  pageP99ms: number;
  deepPageP99ms: number;
  filteredP99ms: number;
  /** A filter combination that matches nothing (app-7 is all T2): read in index order it is every row of the app. */
  emptyComboP99ms: number;
  deepFilteredP99ms: number;
  ruleP99ms: number;
  requestIdP99ms: number;
  lookupP99ms: number;
  serverPageP99ms: number;
  serverDeepPageP99ms: number;
  serverFilteredP99ms: number;
};
export interface ReadBench {
  rows: number;
  large: ReadFigures;
  small: ReadFigures;
}

/** p99 of PostgreSQL's own execution time for the page query (EXPLAIN ANALYZE): the index's cost without the client or the machine's scheduling. */
async function serverP99(cluster: PgCluster, url: string, q: Parameters<typeof pageSql>[0]): Promise<number> {
  const { sql } = pageSql(q);
  const t: number[] = [];
  for (let i = 0; i < 50; i++) {
    const [row] = await cluster.sql<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql.text}`,
      sql.values,
      url,
    );
    t.push(row!['QUERY PLAN'][0]['Execution Time']);
  }
  t.sort((a, b) => a - b);
  return round(pct(t, 0.99));
}

/** Fills the table with `rows` synthetic records (as the table owner, in one INSERT ... SELECT): the lines are real record JSON shapes. */
export async function fill(cluster: PgCluster, url: string, rows: number): Promise<void> {
  await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} DISABLE TRIGGER USER`, [], url);
  const line = (g: string) =>
    `'{"request_id":"req-' || ${g} || '","timestamp":"' || to_char(to_timestamp(1767225600 + ${g}::bigint / 100) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"') || '","scenario":"' || CASE WHEN ${g} % 2 = 0 THEN 'T1' ELSE 'T2' END || '","decision":"' || CASE WHEN ${g} % 3 = 0 THEN 'ALLOW' ELSE 'BLOCK' END || '","subject":{"app_id":"app-' || (${g} % 500) || '","env":"prod"},"steps":[{"step":"hash","status":"pass"}],"findings":[],"reasons":[],"warnings":[],"seq":' || (${g} / 3 + 1) || ',"writer":"w' || (${g} % 3) || '","prev_hash":"' || md5(${g}::text) || md5(${g}::text) || '","hash":"' || md5((${g} + 1)::text) || md5((${g} + 1)::text) || '"}'`;
  await cluster.sql(
    `INSERT INTO ${AUDIT_TABLE} (writer, seq, hash, prev_hash, request_id, ts_ms, scenario, decision, app_id, line, correlation_id, rules)
    SELECT 'w' || (g % 3), g / 3 + 1, md5((g + 1)::text) || md5((g + 1)::text), md5(g::text) || md5(g::text), 'req-' || g,
      (1767225600::bigint + g / 100) * 1000, CASE WHEN g % 2 = 0 THEN 'T1' ELSE 'T2' END, CASE WHEN g % 3 = 0 THEN 'ALLOW' ELSE 'BLOCK' END, 'app-' || (g % 500), ${line('g')},
      NULL, CASE WHEN g % 10 = 0 THEN ARRAY['rule-' || (g % 100)] ELSE '{}' END
    FROM generate_series(0::bigint, ${rows - 1}) g`,
    [],
    url,
  );
  // The rule filter's table, as the sink's INSERT fills it.
  await cluster.sql(
    `INSERT INTO ${RULE_TABLE} (writer, seq, rule, ts_ms) SELECT a.writer, a.seq, r, a.ts_ms FROM ${AUDIT_TABLE} a CROSS JOIN unnest(a.rules) r`,
    [],
    url,
  );
  await cluster.sql(`ALTER TABLE ${AUDIT_TABLE} ENABLE TRIGGER USER`, [], url);
  await cluster.sql(`VACUUM ANALYZE ${AUDIT_TABLE}`, [], url);
  await cluster.sql(`VACUUM ANALYZE ${RULE_TABLE}`, [], url);
}

async function p99Of(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn(i);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return round(pct(t, 0.99));
}

export async function benchReads(rows: number, log: (s: string) => void): Promise<ReadBench> {
  const cluster = await startPgCluster({ fsync: false });
  try {
    const measure = async (db: string, n: number): Promise<ReadFigures> => {
      await cluster.sql(`CREATE DATABASE ${db} OWNER mg_owner`);
      const owner = cluster.ownerUrl.replace('/audit?', `/${db}?`);
      await setupPostgresAuditStore({ url: owner, gateRole: GATE_ROLE });
      const t = performance.now();
      const admin = owner.replace('mg_owner@', 'postgres@');
      await fill(cluster, admin, n);
      log(`  ${n} records loaded in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      const sink = await openPostgresAuditSink({
        url: cluster.gateUrl.replace(/\/audit$/, `/${db}`),
        writer: 'reader',
      });
      try {
        // A page from the middle of history (a cursor an operator paging back would hold).
        const midG = Math.floor(n / 2);
        const deepCursor = encodeContinue({
          timestamp: new Date((1767225600 + Math.floor(midG / 100)) * 1000).toISOString(),
          writer: `w${midG % 3}`,
          seq: Math.floor(midG / 3) + 1,
        });
        return {
          pageP99ms: await p99Of(200, () => queryAudit(sink, { limit: 50 })),
          deepPageP99ms: await p99Of(200, () => queryAudit(sink, { limit: 50, continue: deepCursor })),
          filteredP99ms: await p99Of(200, (i) =>
            queryAudit(sink, { app_id: `app-${i % 500}`, decision: 'ALLOW', limit: 50 }),
          ),
          emptyComboP99ms: await p99Of(200, (i) =>
            queryAudit(sink, { app_id: `app-${(2 * i + 1) % 500}`, scenario: 'T1', limit: 50 }),
          ),
          deepFilteredP99ms: await p99Of(200, (i) =>
            queryAudit(sink, {
              app_id: `app-${(i * 3) % 500}`,
              decision: 'ALLOW',
              limit: 50,
              continue: deepCursor,
            }),
          ),
          ruleP99ms: await p99Of(200, (i) => queryAudit(sink, { rule: `rule-${(i * 10) % 100}`, limit: 50 })),
          requestIdP99ms: await p99Of(200, (i) =>
            queryAudit(sink, { request_id: `req-${(i * 7919) % n}`, limit: 50 }),
          ),
          lookupP99ms: await p99Of(200, (i) => findAuditRecords(sink, `req-${(i * 7919) % n}`, 10)),
          serverPageP99ms: await serverP99(cluster, admin, { limit: 50 }),
          serverDeepPageP99ms: await serverP99(cluster, admin, { limit: 50, continue: deepCursor }),
          serverFilteredP99ms: await serverP99(cluster, admin, {
            app_id: 'app-7',
            decision: 'ALLOW',
            limit: 50,
          }),
        };
      } finally {
        await sink.close();
      }
    };
    const small = await measure('reads_small', 1000);
    const large = await measure('reads_large', rows);
    return { rows, small, large };
  } finally {
    cluster.stop();
  }
}
