// GET /api/v1/audit/logs and the decision lookup as indexed SQL. The answer
// must equal what AuditPageSelector (src/core/audit-query.ts) picks from the
// same records: same filters, same newest-first order (time in ms, then
// writer in byte order, then seq descending), same cursor. A test compares
// the two on the same data.
//
// The order mixes directions (writer ascending, the rest descending), so one
// row comparison cannot express "after the cursor". Each page is a union of
// index range scans, each already in page order and cut at limit + 1, so a
// page costs O(log n + limit) whatever the filters and however deep the
// cursor (no OFFSET, no scan of rows that do not match):
//   - scenario and decision take few values (T1/T2, ALLOW/BLOCK), so the
//     query is split into one part per (scenario, decision) pair it admits;
//     each part is an exact prefix of an index (scenario, decision, order),
//     or (app_id, scenario, decision, order) with an app filter. A filter
//     left to the scan (an app index filtered by decision) would read every
//     non-matching row of that app: a rare combination at 10 M rows read
//     tens of thousands of rows for an empty page;
//   - a cursor splits each part in three: the rest of the cursor's
//     millisecond, everything older, and the records whose timestamp does
//     not parse (they sort oldest, as in the core).
// Alert transitions share the table (scenario 'alert') but are not
// decisions: no part admits them, so they never take a page's place.
import {
  AuditPageSelector,
  AUDIT_QUERY_DEFAULT_LIMIT,
  decodeContinue,
  encodeContinue,
  type AuditPage,
  type AuditQuery,
} from '../../core/audit-query.js';
import { ScenarioSchema, DecisionSchema } from '../../core/contracts/report.js';
import { AUDIT_TABLE, PAGE_ORDER as ORDER, RULE_TABLE } from './pg-schema.js';

export interface SqlQuery {
  text: string;
  values: unknown[];
}

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
  const sinceMs = query.since === undefined ? undefined : Date.parse(query.since);
  const take = p(limit + 1);
  // One value list per query shape (bind parameters, not literals): the
  // prepared statement of each filter combination keeps one plan.
  const pairs = (query.scenario ? [query.scenario] : ScenarioSchema.options).flatMap((sc) =>
    (query.decision ? [query.decision] : DecisionSchema.options).map((d) => [sc, d] as const),
  );
  const app = query.app_id === undefined ? undefined : p(query.app_id);
  const since = sinceMs === undefined ? undefined : p(sinceMs);
  // A finding's rule and the gate's or the caller's request id.
  const rule = query.rule === undefined ? undefined : p(query.rule);
  const rid = query.request_id === undefined ? undefined : p(query.request_id);
  // A request id names a handful of records: those are fetched first by its two indexes, and the
  // page is cut from them. Left to the page's order, an id (one in millions) meant reading the
  // order index until it turned up: seconds at 10 M rows.
  const withRid = rid
    ? `WITH rid_rows AS MATERIALIZED (SELECT * FROM ${AUDIT_TABLE} WHERE request_id = ${rid} UNION SELECT * FROM ${AUDIT_TABLE} WHERE correlation_id = ${rid}) `
    : '';
  // A rule: the rule table's index is in page order per rule (a rule's hits, newest first), each
  // hit joined to its record; alerts have no findings, so no (scenario, decision) split is needed.
  const byRule = rule !== undefined && rid === undefined;
  const from = rid
    ? 'rid_rows'
    : byRule
      ? `(SELECT h.ts_ms, h.writer, h.seq, a.line, a.scenario, a.decision, a.app_id FROM ${RULE_TABLE} h JOIN ${AUDIT_TABLE} a ON a.writer = h.writer AND a.seq = h.seq WHERE h.rule = ${rule}) rule_rows`
      : AUDIT_TABLE;
  const common = [
    ...(app ? [`app_id = ${app}`] : []),
    ...(since ? [`ts_ms >= ${since}`] : []),
    ...(rule && rid ? [`${rule} = ANY (rules)`] : []),
  ];
  const keys = byRule
    ? [
        [
          ...common,
          ...(query.scenario ? [`scenario = ${p(query.scenario)}`] : []),
          ...(query.decision ? [`decision = ${p(query.decision)}`] : []),
        ],
      ]
    : pairs.map(([sc, d]) => [`scenario = ${p(sc)}`, `decision = ${p(d)}`, ...common]);
  const ranges: string[][] = [];
  if (query.continue === undefined) {
    ranges.push(['ts_ms IS NOT NULL']);
    if (sinceMs === undefined) ranges.push(['ts_ms IS NULL']);
  } else {
    const c = decodeContinue(query.continue);
    const t = timeMs(c.timestamp);
    const w = p(c.writer);
    const sq = p(c.seq);
    const rest = `(writer COLLATE "C" > ${w} OR (writer = ${w} AND seq < ${sq}))`;
    if (t !== null) {
      const tp = p(t);
      ranges.push([`ts_ms = ${tp}`, rest], [`ts_ms < ${tp}`]);
      if (sinceMs === undefined) ranges.push(['ts_ms IS NULL']);
    } else if (sinceMs === undefined) {
      ranges.push(['ts_ms IS NULL', rest]);
    }
  }
  const parts = keys.flatMap((k) =>
    ranges.map(
      (r) =>
        `(SELECT line, ts_ms, writer, seq FROM ${from} WHERE ${[...k, ...r].join(' AND ')} ORDER BY ${ORDER} LIMIT ${take})`,
    ),
  );
  if (parts.length === 0)
    return { sql: { text: 'SELECT NULL::text AS line WHERE false', values: [] }, limit };
  return {
    sql: {
      text: `${withRid}SELECT line FROM (${parts.join(' UNION ALL ')}) page ORDER BY ${ORDER} LIMIT ${take}`,
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
