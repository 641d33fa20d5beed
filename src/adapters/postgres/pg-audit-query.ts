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

type Bind = (v: unknown) => string;

/** Where a part reads from and the key conditions of each part (see the header). */
function partKeys(
  query: AuditQuery,
  p: Bind,
  sinceMs: number | undefined,
): { from: string; keys: string[][]; prefix: string } {
  const app = query.app_id === undefined ? undefined : p(query.app_id);
  const since = sinceMs === undefined ? undefined : p(sinceMs);
  const rule = query.rule === undefined ? undefined : p(query.rule);
  const rid = query.request_id === undefined ? undefined : p(query.request_id);
  const common = [
    ...(app ? [`app_id = ${app}`] : []),
    ...(since ? [`ts_ms >= ${since}`] : []),
    ...(rule && rid ? [`${rule} = ANY (rules)`] : []),
  ];
  // One value list per query shape (bind parameters, not literals): the
  // prepared statement of each filter combination keeps one plan.
  const pairs = (): string[][] =>
    (query.scenario ? [query.scenario] : ScenarioSchema.options).flatMap((sc) =>
      (query.decision ? [query.decision] : DecisionSchema.options).map((d) => [
        `scenario = ${p(sc)}`,
        `decision = ${p(d)}`,
        ...common,
      ]),
    );
  if (rid)
    // A request id names a handful of records: those are fetched first by its two indexes, and the
    // page is cut from them. Left to the page's order, an id (one in millions) meant reading the
    // order index until it turned up: seconds at 10 M rows.
    return {
      from: 'rid_rows',
      keys: pairs(),
      prefix: `WITH rid_rows AS MATERIALIZED (SELECT * FROM ${AUDIT_TABLE} WHERE request_id = ${rid} UNION SELECT * FROM ${AUDIT_TABLE} WHERE correlation_id = ${rid}) `,
    };
  if (rule)
    // A rule: the rule table's index is in page order per rule (a rule's hits, newest first), each
    // hit joined to its record; alerts have no findings, so no (scenario, decision) split is needed.
    return {
      from: `(SELECT h.ts_ms, h.writer, h.seq, a.line, a.scenario, a.decision, a.app_id FROM ${RULE_TABLE} h JOIN ${AUDIT_TABLE} a ON a.writer = h.writer AND a.seq = h.seq WHERE h.rule = ${rule}) rule_rows`,
      keys: [
        [
          ...common,
          ...(query.scenario ? [`scenario = ${p(query.scenario)}`] : []),
          ...(query.decision ? [`decision = ${p(query.decision)}`] : []),
        ],
      ],
      prefix: '',
    };
  return { from: AUDIT_TABLE, keys: pairs(), prefix: '' };
}

/** The position ranges of a page: all of it, or what follows the cursor (see the header). */
function positionRanges(query: AuditQuery, p: Bind, sinceMs: number | undefined): string[][] {
  if (query.continue === undefined)
    return sinceMs === undefined ? [['ts_ms IS NOT NULL'], ['ts_ms IS NULL']] : [['ts_ms IS NOT NULL']];
  const c = decodeContinue(query.continue);
  const t = timeMs(c.timestamp);
  const w = p(c.writer);
  const sq = p(c.seq);
  const rest = `(writer COLLATE "C" > ${w} OR (writer = ${w} AND seq < ${sq}))`;
  if (t === null) return sinceMs === undefined ? [['ts_ms IS NULL', rest]] : [];
  const tp = p(t);
  const ranges = [[`ts_ms = ${tp}`, rest], [`ts_ms < ${tp}`]];
  return sinceMs === undefined ? [...ranges, ['ts_ms IS NULL']] : ranges;
}

/** The SQL for one page; throws the selector's own bad-request errors for a bad query. */
export function pageSql(query: AuditQuery): { sql: SqlQuery; limit: number } {
  // The selector validates exactly as the other sinks do (limit, since, continue).
  new AuditPageSelector(query);
  const limit = query.limit ?? AUDIT_QUERY_DEFAULT_LIMIT;
  const values: unknown[] = [];
  const p: Bind = (v) => {
    values.push(v);
    return `$${values.length}`;
  };
  const sinceMs = query.since === undefined ? undefined : Date.parse(query.since);
  const take = p(limit + 1);
  const { from, keys, prefix } = partKeys(query, p, sinceMs);
  const ranges = positionRanges(query, p, sinceMs);
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
      text: `${prefix}SELECT line FROM (${parts.join(' UNION ALL ')}) page ORDER BY ${ORDER} LIMIT ${take}`,
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
