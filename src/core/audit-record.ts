// Audit record shape, chaining and chain verification. Pure: sinks do the I/O
// and call in here, so every sink chains and verifies in exactly one way.
import { AuditRecordSchema, GENESIS_HASH, type AuditRecord, type ChainVerification } from './contracts/audit.js';
import { DecisionReportSchema, type DecisionReport } from './contracts/report.js';
import { GateError } from './errors.js';
import { canonicalJson, sha256Hex, shortHex } from './hashing.js';
import type { RawAuditEntry } from './ports/audit.js';

export type UnhashedAuditRecord = Omit<AuditRecord, 'hash'>;

declare const auditable: unique symbol;
/** A report that went through auditableReport: chaining it needs no second schema pass. */
export type AuditableReport = DecisionReport & { readonly [auditable]: true };

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
export function auditableReport(report: DecisionReport): AuditableReport {
  const parsed = DecisionReportSchema.safeParse(report);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GateError('internal', `refusing to audit a malformed report (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`);
  }
  return parsed.data as AuditableReport;
}

/**
 * Builds the record that follows `prevHash`. The report is re-parsed through
 * its schema so only contract fields are stored: a stray property (or a
 * malformed report) must not become a record that later fails verification.
 * The first record of a writer has seq 1 and prev_hash GENESIS_HASH.
 */
export function chainRecord(report: DecisionReport, writer: string, seq: number, prevHash: string): AuditRecord {
  return linkRecord(auditableReport(report), writer, seq, prevHash);
}

function linkRecord(clean: AuditableReport, writer: string, seq: number, prevHash: string): AuditRecord {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new GateError('internal', `audit seq must be a positive integer, got ${seq}`);
  if (writer.length === 0) throw new GateError('internal', 'audit writer id must not be empty');
  const unhashed: UnhashedAuditRecord = { ...clean, seq, writer, prev_hash: prevHash };
  return { ...unhashed, hash: recordHash(unhashed) };
}

/**
 * Chains a whole batch after `head`. Returns the new head, which the sink
 * adopts only once the batch is durable: a failed write leaves the head
 * where it was, so the next batch reuses the same seq numbers.
 */
export function chainBatch(reports: readonly AuditableReport[], writer: string, head: ChainHead): { records: AuditRecord[]; head: ChainHead } {
  let { seq, hash } = head;
  const records = reports.map((report) => {
    const record = linkRecord(report, writer, seq + 1, hash);
    seq = record.seq;
    hash = record.hash;
    return record;
  });
  return { records, head: { seq, hash } };
}

export type ParsedAuditLine = { ok: true; record: AuditRecord; raw: Record<string, unknown> } | { ok: false; problem: string };

/** One stored line → record, or the reason it is not one. */
export function parseAuditLine(text: string): ParsedAuditLine {
  if (text.trim() === '') return { ok: false, problem: 'empty line' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: `not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, problem: 'not a JSON object' };
  const parsed = AuditRecordSchema.safeParse(raw);
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
function chainProblem(record: AuditRecord, raw: Record<string, unknown>, prev: ChainHead): string | undefined {
  // The hash is recomputed over the stored object, not the schema-parsed
  // one, so an added field is caught as well as a changed one. It is checked
  // first: an altered seq or prev_hash is tampering, not a gap.
  const { hash: _stored, ...unhashed } = raw;
  const computed = recordHash(unhashed);
  if (computed !== record.hash) {
    return `hash mismatch: stored ${shortHex(record.hash)}, content hashes to ${shortHex(computed)} (record altered)`;
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
    const what = prev.seq === 0 ? 'the genesis hash' : `the hash of seq ${prev.seq} (${shortHex(prev.hash)})`;
    return `prev_hash ${shortHex(record.prev_hash)} does not match ${what}`;
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
  #total = 0;
  #firstBad: ChainVerification['first_bad'];

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
    const state = this.#writers.get(record.writer) ?? { records: 0, head: GENESIS_HEAD };
    const problem = chainProblem(record, line.raw, state.head);
    if (problem !== undefined) this.#firstBad ??= { location: entry.location, writer: record.writer, seq: record.seq, problem };
    this.#writers.set(record.writer, { records: state.records + 1, head: { seq: record.seq, hash: record.hash } });
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
export async function verifyChains(entries: Iterable<RawAuditEntry> | AsyncIterable<RawAuditEntry>): Promise<ChainVerification> {
  const verifier = new ChainVerifier();
  for await (const entry of entries) verifier.add(entry);
  return verifier.result();
}
