// Reads the audit log for the API: query with filters and paging, verify chains.
import { AuditRecordSchema, type AuditRecord, type ChainVerification } from '../core/contracts/audit.js';
import { verifyChains } from '../core/audit-record.js';
import { queryAuditRecords, type AuditQuery } from '../core/audit-query.js';
import type { AuditSink } from '../core/ports.js';

export async function readRecords(sink: AuditSink): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const entry of sink.readRaw()) {
    try {
      const r = AuditRecordSchema.safeParse(JSON.parse(entry.text));
      if (r.success) out.push(r.data);
    } catch {
      // An unparseable line is not a record; /audit/verify names it.
    }
  }
  return out;
}

export async function queryAudit(sink: AuditSink, query: AuditQuery): Promise<{ items: AuditRecord[]; continue?: string }> {
  return queryAuditRecords(await readRecords(sink), query);
}

export async function verifyAudit(sink: AuditSink): Promise<ChainVerification & { sink: string; note?: string }> {
  const result = await verifyChains(sink.readRaw());
  if (sink.kind === 'stdout') return { ...result, sink: sink.kind, note: 'the stdout sink keeps no history to verify' };
  return { ...result, sink: sink.kind };
}
