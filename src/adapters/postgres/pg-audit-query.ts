// GET /api/v1/audit/logs and the decision lookup as indexed SQL. The answer
// must equal what AuditPageSelector (src/core/audit-query.ts) picks from the
// same records: same filters, same newest-first order (time in ms, then
// writer in byte order, then seq descending), same cursor. A test compares
// the two on the same data.
//
// The order mixes directions (writer ascending, the rest descending), so one
// row comparison cannot express "after the cursor". The page is the union
// of three index range scans, each already in page order and cut at
// limit + 1: the rest of the cursor's millisecond, everything older, and the
// records whose timestamp does not parse (they sort oldest, as in the core).
import {
  AuditPageSelector,
  AUDIT_QUERY_DEFAULT_LIMIT,
  decodeContinue,
  encodeContinue,
  type AuditPage,
  type AuditQuery,
} from '../../core/audit-query.js';
import { AUDIT_TABLE } from './pg-schema.js';

export interface SqlQuery {
  text: string;
  values: unknown[];
}

const ORDER = 'ts_ms DESC NULLS LAST, writer COLLATE "C" ASC, seq DESC';

/** ms since the epoch as the core's selector reads a timestamp; null where it sorts as the oldest possible. */
export function timeMs(timestamp: string): number | null {
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? null : t;
}

/** The SQL for one page; throws the selector's own bad-request errors for a bad query. */
export function pageSql(query: AuditQuery): { sql: SqlQuery; limit: number } {
  // The selector validates exactly as the other sinks do (limit, since, continue).
  new AuditPageSelector(query);
  const limit = query.limit ?? AUDIT_QUERY_DEFAULT_LIMIT;
  const values: unknown[] = [];
  const p = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const filters: string[] = [];
  if (query.scenario !== undefined) filters.push(`scenario = ${p(query.scenario)}`);
  if (query.decision !== undefined) filters.push(`decision = ${p(query.decision)}`);
  if (query.app_id !== undefined) filters.push(`app_id = ${p(query.app_id)}`);
  const sinceMs = query.since === undefined ? undefined : Date.parse(query.since);
  if (sinceMs !== undefined) filters.push(`ts_ms >= ${p(sinceMs)}`);
  const take = p(limit + 1);
  const part = (where: string[]): string =>
    `(SELECT line, ts_ms, writer, seq FROM ${AUDIT_TABLE} WHERE ${[...filters, ...where].join(' AND ') || 'true'} ORDER BY ${ORDER} LIMIT ${take})`;

  const parts: string[] = [];
  if (query.continue === undefined) {
    parts.push(part(['ts_ms IS NOT NULL']));
    if (sinceMs === undefined) parts.push(part(['ts_ms IS NULL']));
  } else {
    const c = decodeContinue(query.continue);
    const t = timeMs(c.timestamp);
    const w = p(c.writer);
    const s = p(c.seq);
    const rest = `(writer COLLATE "C" > ${w} OR (writer = ${w} AND seq < ${s}))`;
    if (t !== null) {
      const tp = p(t);
      parts.push(part([`ts_ms = ${tp}`, rest]), part([`ts_ms < ${tp}`]));
      if (sinceMs === undefined) parts.push(part(['ts_ms IS NULL']));
    } else if (sinceMs === undefined) {
      parts.push(part(['ts_ms IS NULL', rest]));
    }
  }
  if (parts.length === 0)
    return { sql: { text: 'SELECT NULL::text AS line WHERE false', values: [] }, limit };
  return {
    sql: {
      text: `SELECT line FROM (${parts.join(' UNION ALL ')}) page ORDER BY ${ORDER} LIMIT ${take}`,
      values,
    },
    limit,
  };
}

/** The page from the rows pageSql returned (limit + 1 at most), with the same cursor the selector makes. */
export function pageFrom<R extends { timestamp: string; writer: string; seq: number }>(
  rows: R[],
  limit: number,
): { items: R[]; continue?: string } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  if (rows.length > limit && last)
    return {
      items,
      continue: encodeContinue({ timestamp: last.timestamp, writer: last.writer, seq: last.seq }),
    };
  return { items };
}

export type { AuditPage };
