// Filtering and paging of audit records for GET /api/v1/audit/logs. Pure:
// the service reads and parses the records, this decides what one page holds.
import { z } from 'zod';
import type { AuditRecord } from './contracts/audit.js';
import { DecisionSchema, ScenarioSchema, type Decision, type Scenario } from './contracts/report.js';
import { GateError } from './errors.js';

export const AUDIT_QUERY_DEFAULT_LIMIT = 50;
export const AUDIT_QUERY_MAX_LIMIT = 500;

/**
 * Query parameters as they come from a URL (all strings). Strict: a typo
 * such as `appid=` must be a 400, not a silently unfiltered listing.
 */
export const AuditQuerySchema = z.strictObject({
  scenario: ScenarioSchema.optional(),
  decision: DecisionSchema.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  app_id: z.string().min(1).max(253).optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_QUERY_MAX_LIMIT).default(AUDIT_QUERY_DEFAULT_LIMIT),
  continue: z.string().min(1).max(1024).optional(),
});

export interface AuditQuery {
  scenario?: Scenario;
  decision?: Decision;
  /** ISO timestamp; records with timestamp >= since. */
  since?: string;
  app_id?: string;
  limit?: number;
  continue?: string;
}

export interface AuditPage {
  items: AuditRecord[];
  /** Present when more records follow; pass it back as `continue`. */
  continue?: string;
}

/** Position of the last item of a page in the newest-first order. */
const CursorSchema = z.strictObject({
  timestamp: z.string(),
  writer: z.string(),
  seq: z.number().int().nonnegative(),
});
type Cursor = z.infer<typeof CursorSchema>;

// An unparseable timestamp sorts as the oldest possible record instead of
// poisoning the comparison with NaN.
function timeOf(timestamp: string): number {
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/**
 * Total order, newest first: time, then writer, then seq descending.
 * (writer, seq) is unique, so a cursor identifies one position and paging
 * stays stable when newer records arrive in the meantime.
 */
function compareNewestFirst(a: Cursor, b: Cursor): number {
  const ta = timeOf(a.timestamp);
  const tb = timeOf(b.timestamp);
  if (ta !== tb) return ta > tb ? -1 : 1;
  if (a.writer !== b.writer) return a.writer < b.writer ? -1 : 1;
  return b.seq - a.seq;
}

export function encodeContinue(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeContinue(token: string): Cursor {
  const bad = (): GateError => new GateError('bad-request', 'invalid continue token: pass back the value of a previous response unchanged');
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const parsed = CursorSchema.safeParse(value);
  if (!parsed.success) throw bad();
  return parsed.data;
}

function matches(record: AuditRecord, query: AuditQuery, sinceMs: number | undefined): boolean {
  if (query.scenario !== undefined && record.scenario !== query.scenario) return false;
  if (query.decision !== undefined && record.decision !== query.decision) return false;
  if (query.app_id !== undefined && record.subject.app_id !== query.app_id) return false;
  if (sinceMs !== undefined && !(timeOf(record.timestamp) >= sinceMs)) return false;
  return true;
}

/** One page of matching records, newest first. Does not modify `records`. */
export function queryAuditRecords(records: readonly AuditRecord[], query: AuditQuery): AuditPage {
  const limit = query.limit ?? AUDIT_QUERY_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_QUERY_MAX_LIMIT) {
    throw new GateError('bad-request', `limit must be an integer from 1 to ${AUDIT_QUERY_MAX_LIMIT}`);
  }
  let sinceMs: number | undefined;
  if (query.since !== undefined) {
    sinceMs = Date.parse(query.since);
    if (Number.isNaN(sinceMs)) throw new GateError('bad-request', 'since must be an ISO 8601 timestamp');
  }
  const after = query.continue === undefined ? undefined : decodeContinue(query.continue);
  const sorted = records
    .filter((r) => matches(r, query, sinceMs))
    .filter((r) => after === undefined || compareNewestFirst(r, after) > 0)
    .sort(compareNewestFirst);
  const items = sorted.slice(0, limit);
  const last = items[items.length - 1];
  if (sorted.length > limit && last) {
    return { items, continue: encodeContinue({ timestamp: last.timestamp, writer: last.writer, seq: last.seq }) };
  }
  return { items };
}
