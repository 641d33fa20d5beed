// Filtering and paging of audit records for GET /api/v1/audit/logs. Pure:
// the service streams the records in, this decides what one page holds.
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
  /** Records with a finding of this rule id (blocking or warning). */
  rule: z
    .string()
    .regex(/^[a-z0-9][a-z0-9:-]{0,99}$/, 'a rule id (lowercase letters, digits, "-", ":")')
    .optional(),
  /** The gate's request id or the caller's correlation id. */
  request_id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a request id')
    .optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_QUERY_MAX_LIMIT).default(AUDIT_QUERY_DEFAULT_LIMIT),
  continue: z.string().min(1).max(1024).optional(),
});

export interface AuditQuery {
  scenario?: Scenario;
  decision?: Decision;
  /** ISO timestamp; records with timestamp >= since. */
  since?: string;
  app_id?: string;
  rule?: string;
  request_id?: string;
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

/** A position in the newest-first order, its timestamp parsed once. */
interface Position {
  time: number;
  writer: string;
  seq: number;
}

function positionOf(c: Cursor): Position {
  return { time: timeOf(c.timestamp), writer: c.writer, seq: c.seq };
}

/**
 * Total order, newest first: time, then writer, then seq descending.
 * (writer, seq) is unique, so a cursor identifies one position and paging
 * stays stable when newer records arrive in the meantime.
 */
function compareNewestFirst(a: Position, b: Position): number {
  if (a.time !== b.time) return a.time > b.time ? -1 : 1;
  if (a.writer !== b.writer) return a.writer < b.writer ? -1 : 1;
  return b.seq - a.seq;
}

export function encodeContinue(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeContinue(token: string): Cursor {
  const bad = (): GateError =>
    new GateError(
      'bad-request',
      'invalid continue token: pass back the value of a previous response unchanged',
    );
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

function matches(record: AuditRecord, time: number, query: AuditQuery, sinceMs: number | undefined): boolean {
  if (query.scenario !== undefined && record.scenario !== query.scenario) return false;
  if (query.decision !== undefined && record.decision !== query.decision) return false;
  if (query.app_id !== undefined && record.subject.app_id !== query.app_id) return false;
  if (query.rule !== undefined && !record.findings.some((f) => f.rule === query.rule)) return false;
  if (
    query.request_id !== undefined &&
    record.request_id !== query.request_id &&
    record.correlation_id !== query.request_id
  )
    return false;
  if (sinceMs !== undefined && !(time >= sinceMs)) return false;
  return true;
}

/** The filters of a query without paging: for an export of every matching record. */
export function auditRecordMatcher(query: AuditQuery): (record: AuditRecord) => boolean {
  const sinceMs = query.since !== undefined ? timeOf(query.since) : undefined;
  return (record) => matches(record, timeOf(record.timestamp), query, sinceMs);
}

interface Held {
  at: Position;
  record: AuditRecord;
}

/**
 * Picks one page out of records offered one at a time, so a read of the whole
 * log holds O(limit) records, not O(history): it keeps only the best
 * `limit + 1` matching records seen so far (the page, plus one to know
 * whether a `continue` token is needed), newest first, in a sorted array.
 * The result equals a stable sort of every matching record: among records
 * that compare equal (a duplicated line) the one offered first wins.
 */
export class AuditPageSelector {
  readonly #query: AuditQuery;
  readonly #limit: number;
  readonly #sinceMs: number | undefined;
  readonly #after: Position | undefined;
  /** Newest first; at most limit + 1. */
  readonly #best: Held[] = [];
  #offered = 0;

  /** Validates the query up front, so a bad one fails before any read. */
  constructor(query: AuditQuery) {
    const limit = query.limit ?? AUDIT_QUERY_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_QUERY_MAX_LIMIT) {
      throw new GateError('bad-request', `limit must be an integer from 1 to ${AUDIT_QUERY_MAX_LIMIT}`);
    }
    let sinceMs: number | undefined;
    if (query.since !== undefined) {
      sinceMs = Date.parse(query.since);
      if (Number.isNaN(sinceMs)) throw new GateError('bad-request', 'since must be an ISO 8601 timestamp');
    }
    this.#query = query;
    this.#limit = limit;
    this.#sinceMs = sinceMs;
    this.#after = query.continue === undefined ? undefined : positionOf(decodeContinue(query.continue));
  }

  /** Records held right now: never more than limit + 1. */
  get held(): number {
    return this.#best.length;
  }

  /** Records offered so far, matching or not. */
  get offered(): number {
    return this.#offered;
  }

  /**
   * Records whose time is strictly below this cannot change the page (it is
   * full and all it holds is newer); undefined while it is not full.
   */
  get cutoffTime(): number | undefined {
    if (this.#best.length < this.#limit + 1) return undefined;
    return this.#best[this.#best.length - 1]!.at.time;
  }

  /** Records newer than this are excluded (they were on earlier pages); also since-filtered below #sinceMs. */
  get window(): { newest?: number; oldest?: number } {
    return {
      ...(this.#after ? { newest: this.#after.time } : {}),
      ...(this.#sinceMs !== undefined ? { oldest: this.#sinceMs } : {}),
    };
  }

  offer(record: AuditRecord): void {
    this.#offered += 1;
    const at = positionOf(record);
    if (!matches(record, at.time, this.#query, this.#sinceMs)) return;
    if (this.#after !== undefined && compareNewestFirst(at, this.#after) <= 0) return;
    const best = this.#best;
    const cap = this.#limit + 1;
    const worst = best[best.length - 1];
    if (best.length >= cap && worst !== undefined && compareNewestFirst(at, worst.at) >= 0) return;
    // Upper bound: after every held record that sorts before or equal to it.
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNewestFirst(best[mid]!.at, at) <= 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, { at, record });
    if (best.length > cap) best.pop();
  }

  page(): AuditPage {
    const items = this.#best.slice(0, this.#limit).map((h) => h.record);
    const last = items[items.length - 1];
    if (this.#best.length > this.#limit && last) {
      return {
        items,
        continue: encodeContinue({ timestamp: last.timestamp, writer: last.writer, seq: last.seq }),
      };
    }
    return { items };
  }
}

/** One page of matching records, newest first. Does not modify `records`. */
export function queryAuditRecords(records: Iterable<AuditRecord>, query: AuditQuery): AuditPage {
  const selector = new AuditPageSelector(query);
  for (const record of records) selector.offer(record);
  return selector.page();
}
