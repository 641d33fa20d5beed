// Audit record shape, chaining and chain verification. Pure: sinks do the I/O
// and call in here, so every sink chains and verifies in exactly one way.
import {
  AlertRecordSchema,
  AuditRecordSchema,
  GENESIS_HASH,
  type AuditRecord,
  type ChainVerification,
  type StoredRecord,
} from './contracts/audit.js';
import { AlertEventSchema, type AlertEvent } from './contracts/alert.js';
import { DecisionReportSchema, type DecisionReport } from './contracts/report.js';
import { GateError, describeError } from './errors.js';
import { canonicalFromMembers, canonicalJson, canonicalMembers, sha256Hex } from './hashing.js';
import type { RawAuditEntry } from './ports/audit.js';

export type UnhashedAuditRecord = Omit<AuditRecord, 'hash'>;

declare const auditable: unique symbol;
/** A report that went through auditableReport: chaining it needs no second schema pass. */
export type AuditableReport = (DecisionReport | AlertEvent) & { readonly [auditable]: true };

/** What a sink stores: a decision report or an alert transition (contracts/alert.ts). */
export type AuditEntry = DecisionReport | AlertEvent;

/** Where a writer's chain stands: the last durable record (seq 0 = nothing yet). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const GENESIS_HEAD: ChainHead = Object.freeze({ seq: 0, hash: GENESIS_HASH });

/** SHA-256 hex of the RFC 8785 canonical JSON of the record without `hash`. */
export function recordHash(record: UnhashedAuditRecord | Record<string, unknown>): string {
  return sha256Hex(canonicalJson(record));
}

/**
 * The report as it will be stored: schema-checked, unknown keys dropped.
 * Sinks call it on submit too, so one malformed report is rejected alone
 * instead of failing the whole batch it would have joined.
 */
export function auditableReport(report: AuditEntry): AuditableReport {
  const parsed = isAlertEntry(report)
    ? AlertEventSchema.safeParse(report)
    : DecisionReportSchema.safeParse(report);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GateError(
      'internal',
      `refusing to audit a malformed report (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`,
    );
  }
  return parsed.data as AuditableReport;
}

export function isAlertEntry(entry: AuditEntry): entry is AlertEvent {
  return (entry as { record_type?: unknown }).record_type === 'alert';
}

/**
 * Builds the record that follows `prevHash`. The report is re-parsed through
 * its schema so only contract fields are stored: a stray property (or a
 * malformed report) must not become a record that later fails verification.
 * The first record of a writer has seq 1 and prev_hash GENESIS_HASH.
 */
export function chainRecord(report: AuditEntry, writer: string, seq: number, prevHash: string): AuditRecord {
  return linkRecord(auditableReport(report), writer, seq, prevHash);
}

// Typed as AuditRecord for the sinks, which use only the chain fields of what
// they store; readers tell the two kinds apart with isAlertRecord().
function linkRecord(clean: AuditableReport, writer: string, seq: number, prevHash: string): AuditRecord {
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new GateError('internal', `audit seq must be a positive integer, got ${seq}`);
  if (writer.length === 0) throw new GateError('internal', 'audit writer id must not be empty');
  const unhashed = { ...clean, seq, writer, prev_hash: prevHash } as UnhashedAuditRecord;
  const members = canonicalMembers(unhashed as unknown as Record<string, unknown>);
  const hash = sha256Hex(canonicalFromMembers(members));
  const record: AuditRecord = { ...unhashed, hash };
  canonicalTexts.set(record, canonicalFromMembers(members, ['hash', hash]));
  return record;
}

/**
 * The canonical JSON of each record linkRecord made, kept for its Merkle
 * leaf (core/tlog/audit-leaf.ts): the members were serialized once for the
 * chain hash, and serializing them again was a tenth of a remembered
 * admission's cost. Records are not changed after they are made.
 */
const canonicalTexts = new WeakMap<object, string>();

/** canonicalJson(record) for a record this process chained; undefined for any other object. */
export function chainedRecordText(record: object): string | undefined {
  return canonicalTexts.get(record);
}

/**
 * Chains a whole batch after `head`. Returns the new head, which the sink
 * adopts only once the batch is durable: a failed write leaves the head
 * where it was, so the next batch reuses the same seq numbers.
 */
export function chainBatch(
  reports: readonly AuditableReport[],
  writer: string,
  head: ChainHead,
): { records: AuditRecord[]; head: ChainHead } {
  let { seq, hash } = head;
  const records = reports.map((report) => {
    const record = linkRecord(report, writer, seq + 1, hash);
    seq = record.seq;
    hash = record.hash;
    return record;
  });
  return { records, head: { seq, hash } };
}

export type ParsedAuditLine =
  { ok: true; record: StoredRecord; raw: Record<string, unknown> } | { ok: false; problem: string };

/** One stored line → record, or the reason it is not one. */
export function parseAuditLine(text: string): ParsedAuditLine {
  if (text.trim() === '') return { ok: false, problem: 'empty line' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `not valid JSON (${describeError(e)})` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, problem: 'not a JSON object' };
  const alert = (raw as { record_type?: unknown }).record_type === 'alert';
  const parsed = alert ? AlertRecordSchema.safeParse(raw) : AuditRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { ok: false, problem: `not an audit record (${at}${issue?.message ?? 'invalid'})` };
  }
  return { ok: true, record: parsed.data, raw: raw as Record<string, unknown> };
}

interface WriterState {
  records: number;
  head: ChainHead;
}

/** The problem with `record` given its writer's previous head, or undefined. */
function chainProblem(
  record: StoredRecord,
  raw: Record<string, unknown>,
  prev: ChainHead,
): string | undefined {
  // The hash is recomputed over the stored object, not the schema-parsed
  // one, so an added field is caught as well as a changed one. It is checked
  // first: an altered seq or prev_hash is tampering, not a gap.
  const { hash: stored, ...unhashed } = raw;
  const members = canonicalMembers(unhashed);
  const computed = sha256Hex(canonicalFromMembers(members));
  // The leaf of the Merkle tree is the same members with `hash`: serialized once for both (log-verify.ts).
  canonicalTexts.set(raw, canonicalFromMembers(members, ['hash', stored]));
  if (computed !== record.hash) {
    return `hash mismatch: stored ${record.hash}, content hashes to ${computed} (record altered)`;
  }
  if (record.seq !== prev.seq + 1) {
    if (record.seq > prev.seq + 1) {
      const missing = record.seq - prev.seq - 1;
      const start = prev.seq === 0 ? ' (verification starts at seq 1)' : '';
      return `seq ${record.seq} follows ${prev.seq}: ${missing} record${missing === 1 ? '' : 's'} missing${start}`;
    }
    return record.seq === prev.seq
      ? `seq ${record.seq} repeats ${prev.seq}: duplicated record`
      : `seq ${record.seq} follows ${prev.seq}: out of order`;
  }
  if (record.prev_hash !== prev.hash) {
    const what = prev.seq === 0 ? 'the genesis hash' : `the hash of seq ${prev.seq} (${prev.hash})`;
    return `prev_hash ${record.prev_hash} does not match ${what}`;
  }
  return undefined;
}

/**
 * Checks every writer's chain over all stored lines (every segment, in
 * stored order), one line at a time: it keeps one head per writer, never the
 * records, so memory does not grow with the log. Chains are global per
 * writer, so a chain continued across a sealed segment verifies as one.
 * Verification starts at seq 1 and genesis: a store whose old records were
 * removed by retention reports the gap. After a bad record the walk
 * resynchronises on it, so the per-writer summary still covers the whole
 * store; `first_bad` names the first one.
 */
export class ChainVerifier {
  readonly #writers = new Map<string, WriterState>();
  readonly #starts: ReadonlyMap<string, ChainHead>;
  #total = 0;
  #firstBad: ChainVerification['first_bad'];

  /**
   * `starts`: where a writer's live chain begins when its older records were
   * archived (the archive ledger's head per writer). The first live record
   * must follow that head exactly; verify the archive itself with the
   * archive's own reader (`audit verify --archive`).
   */
  constructor(starts: ReadonlyMap<string, ChainHead> = new Map()) {
    this.#starts = starts;
  }

  /**
   * Checks the next stored line. Returns it parsed, so a caller that also
   * needs the records (a status page) parses and reads the log only once.
   */
  add(entry: RawAuditEntry): ParsedAuditLine {
    this.#total += 1;
    const line = parseAuditLine(entry.text);
    if (!line.ok) {
      this.#firstBad ??= { location: entry.location, problem: line.problem };
      return line;
    }
    const { record } = line;
    const state = this.#writers.get(record.writer) ?? {
      records: 0,
      head: this.#starts.get(record.writer) ?? GENESIS_HEAD,
    };
    const problem = chainProblem(record, line.raw, state.head);
    if (problem !== undefined)
      this.#firstBad ??= { location: entry.location, writer: record.writer, seq: record.seq, problem };
    this.#writers.set(record.writer, {
      records: state.records + 1,
      head: { seq: record.seq, hash: record.hash },
    });
    return line;
  }

  result(): ChainVerification {
    const result: ChainVerification = {
      ok: this.#firstBad === undefined,
      records: this.#total,
      writers: [...this.#writers.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([writer, s]) => ({ writer, records: s.records, last_seq: s.head.seq, head: s.head.hash })),
    };
    if (this.#firstBad) result.first_bad = this.#firstBad;
    return result;
  }
}

/** ChainVerifier over a whole stream of stored lines. */
export async function verifyChains(
  entries: Iterable<RawAuditEntry> | AsyncIterable<RawAuditEntry>,
  starts?: ReadonlyMap<string, ChainHead>,
): Promise<ChainVerification> {
  const verifier = new ChainVerifier(starts);
  for await (const entry of entries) verifier.add(entry);
  return verifier.result();
}
