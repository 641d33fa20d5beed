// Reads the audit log for the API and the UI: query with filters and paging,
// look up a request id, verify chains. Every read streams the sink's lines
// once and keeps a bounded amount of them: the log grows forever, so nothing
// here may hold the whole history in memory.
import type { AuditRecord, ChainVerification } from '../../core/contracts/audit.js';
import { ChainVerifier, parseAuditLine } from '../../core/audit-record.js';
import { AuditPageSelector, type AuditPage, type AuditQuery } from '../../core/audit-query.js';
import type { AuditSink } from '../../core/ports/audit.js';

export type AuditVerification = ChainVerification & { sink: string; note?: string };

/** The stored records one at a time; an unparseable line is skipped (/audit/verify names it). */
export async function* auditRecords(sink: AuditSink): AsyncIterable<AuditRecord> {
  for await (const entry of sink.readRaw()) {
    const line = parseAuditLine(entry.text);
    if (line.ok) yield line.record;
  }
}

/** Feeds every stored record to `selector` and returns its page. */
export async function selectAuditPage(sink: AuditSink, selector: AuditPageSelector): Promise<AuditPage> {
  for await (const record of auditRecords(sink)) selector.offer(record);
  return selector.page();
}

export async function queryAudit(sink: AuditSink, query: AuditQuery): Promise<AuditPage> {
  // Built before the read: a bad query is a 400 without touching the store.
  return selectAuditPage(sink, new AuditPageSelector(query));
}

/**
 * Records with this request id, oldest first, at most `max` of them; `total`
 * counts them all. Ids can come from the caller (X-Request-Id), so one id may
 * name several decisions: the scan does not stop at the first.
 */
export async function findAuditRecords(sink: AuditSink, requestId: string, max: number): Promise<{ records: AuditRecord[]; total: number }> {
  const records: AuditRecord[] = [];
  let total = 0;
  for await (const record of auditRecords(sink)) {
    if (record.request_id !== requestId) continue;
    total += 1;
    if (records.length < max) records.push(record);
  }
  return { records, total };
}

/**
 * Checks every chain. `onRecord` sees each parsed record during the same
 * walk, so the chain status and what the pages show from the records come
 * from one read. O(history) CPU: the pages take it from AuditSnapshots
 * (audit-snapshot.ts), which bounds how often it runs.
 */
export async function verifyAudit(sink: AuditSink, onRecord?: (record: AuditRecord) => void): Promise<AuditVerification> {
  const verifier = new ChainVerifier();
  for await (const entry of sink.readRaw()) {
    const line = verifier.add(entry);
    if (line.ok) onRecord?.(line.record);
  }
  const result = verifier.result();
  if (sink.kind === 'stdout') return { ...result, sink: sink.kind, note: 'the stdout sink keeps no history to verify' };
  return { ...result, sink: sink.kind };
}
