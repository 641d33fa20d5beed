// Reads the audit log for the API and the UI: query with filters and paging,
// look up a request id, verify chains. Every read streams the sink's lines
// once and keeps a bounded amount of them: the log grows forever, so nothing
// here may hold the whole history in memory.
import {
  isAlertRecord,
  type AuditRecord,
  type ChainVerification,
  type StoredRecord,
} from '../../core/contracts/audit.js';
import { ChainVerifier, parseAuditLine } from '../../core/audit-record.js';
import { AuditPageSelector, type AuditPage, type AuditQuery } from '../../core/audit-query.js';
import type { AuditIndex, AuditSink, RawAuditEntry } from '../../core/ports/audit.js';
import { idHash } from '../../core/audit-index.js';

export type AuditVerification = ChainVerification & { sink: string; note?: string };

/**
 * The stored decisions one at a time; an unparseable line is skipped
 * (/audit/verify names it), and alert transitions are not decisions.
 */
export async function* auditRecords(sink: AuditSink): AsyncIterable<AuditRecord> {
  for await (const entry of sink.readRaw()) {
    const line = parseAuditLine(entry.text);
    if (line.ok && !isAlertRecord(line.record)) yield line.record;
  }
}

async function* filterText(
  entries: AsyncIterable<RawAuditEntry>,
  needle: string | undefined,
): AsyncIterable<RawAuditEntry> {
  for await (const e of entries) if (needle === undefined || e.text.includes(needle)) yield e;
}

/** Records of the stored lines, one at a time. */
async function* recordsOf(entries: AsyncIterable<RawAuditEntry>): AsyncIterable<AuditRecord> {
  for await (const entry of entries) {
    const line = parseAuditLine(entry.text);
    // Alert transitions share the store and the chain, but are not decisions.
    if (line.ok && !isAlertRecord(line.record)) yield line.record;
  }
}

/** The sink's index for this read: taken fresh where other processes write the store too. */
async function indexOf(sink: AuditSink): Promise<AuditIndex | undefined> {
  return sink.readIndex ? sink.readIndex() : sink.index;
}

/**
 * Feeds stored records to `selector` and returns its page. With a sink
 * index, segments are read newest first and only while they can still
 * change the page: outside `since` or the `continue` window they are
 * skipped, and once the page is full a segment wholly older than it ends
 * the read. Without one, every record is offered.
 */
export async function selectAuditPage(sink: AuditSink, selector: AuditPageSelector): Promise<AuditPage> {
  const index = await indexOf(sink);
  if (!index) {
    for await (const record of auditRecords(sink)) selector.offer(record);
    return selector.page();
  }
  const { newest, oldest } = selector.window;
  const segments = [...index.segments()].filter((s) => s.records > 0).sort((a, b) => b.maxTime - a.maxTime);
  for (const seg of segments) {
    if (oldest !== undefined && seg.maxTime < oldest) continue;
    if (newest !== undefined && seg.minTime > newest) continue;
    const cutoff = selector.cutoffTime;
    if (cutoff !== undefined && seg.maxTime < cutoff) break;
    for await (const record of recordsOf(index.read(seg.id))) selector.offer(record);
  }
  return selector.page();
}

export async function queryAudit(sink: AuditSink, query: AuditQuery): Promise<AuditPage> {
  // Built before the read: a bad query is a 400 without touching the store.
  const selector = new AuditPageSelector(query);
  if (sink.indexed) return sink.indexed.page(query);
  return selectAuditPage(sink, selector);
}

/**
 * Records with this request id, oldest first, at most `max` of them; `total`
 * counts them all. Ids can come from the caller (X-Request-Id), so one id may
 * name several decisions: the scan does not stop at the first.
 */
export async function findAuditRecords(
  sink: AuditSink,
  requestId: string,
  max: number,
): Promise<{ records: AuditRecord[]; total: number }> {
  if (sink.indexed) return sink.indexed.byRequestId(requestId, max);
  const records: AuditRecord[] = [];
  let total = 0;
  for await (const record of recordsOf(await storedLinesNamed(sink, requestId))) {
    if (record.request_id !== requestId) continue;
    total += 1;
    if (records.length < max) records.push(record);
  }
  return { records, total };
}

/**
 * The stored lines that may hold a record with this request id, as stored,
 * in stored order: a superset, the caller checks each. An indexed store
 * answers it; with a sink index only the segments whose filter may hold
 * the id are read; otherwise every line is offered.
 */
export async function storedLinesNamed(
  sink: AuditSink,
  requestId: string,
): Promise<AsyncIterable<RawAuditEntry>> {
  if (sink.indexed) return sink.indexed.linesByRequestId(requestId);
  const index = await indexOf(sink);
  // A line that does not contain the id as JSON.stringify writes it cannot be its record, so only
  // such lines are parsed (ids with characters JSON escapes are not pre-filtered).
  const plain = /^[\x20-\x7e]*$/.test(requestId) && !/["\\]/.test(requestId);
  const needle = plain ? `"request_id":"${requestId}"` : undefined;
  if (!index) return filterText(sink.readRaw(), needle);
  const hashed = idHash(requestId);
  return (async function* () {
    for (const seg of index.segments()) {
      if (!seg.mayHoldRequest(hashed)) continue;
      yield* filterText(index.read(seg.id), needle);
    }
  })();
}

/**
 * Checks every chain. `onRecord` sees each parsed record during the same
 * walk, so the chain status and what the pages show from the records come
 * from one read. O(history) CPU: the pages take it from AuditSnapshots
 * (audit-snapshot.ts), which bounds how often it runs.
 */
export async function verifyAudit(
  sink: AuditSink,
  onRecord?: (record: StoredRecord) => void,
): Promise<AuditVerification> {
  const verifier = new ChainVerifier(sink.chainStarts ? await sink.chainStarts() : undefined);
  for await (const entry of sink.readRaw()) {
    const line = verifier.add(entry);
    if (line.ok) onRecord?.(line.record);
  }
  const result = verifier.result();
  if (sink.kind === 'stdout')
    return { ...result, sink: sink.kind, note: 'the stdout sink keeps no history to verify' };
  return { ...result, sink: sink.kind };
}
