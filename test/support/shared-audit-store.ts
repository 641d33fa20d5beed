// One audit store written by several replicas (as the ConfigMap and
// PostgreSQL stores are): each replica's sink keeps its own chain, and every
// sink reads every replica's lines. For tests of what replicas agree on.
import {
  auditableReport,
  chainRecord,
  GENESIS_HEAD,
  type AuditEntry,
  type ChainHead,
} from '../../src/core/audit-record.js';
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import { GateError } from '../../src/core/errors.js';
import type { AuditSink, RawAuditEntry, SinkHealth } from '../../src/core/ports/audit.js';

export class SharedAuditStore {
  readonly lines: Array<{ writer: string; text: string }> = [];
  failing = false;

  sink(writer: string): AuditSink {
    let head: ChainHead = GENESIS_HEAD;
    for (const l of this.lines)
      if (l.writer === writer)
        head = {
          seq: (JSON.parse(l.text) as AuditRecord).seq,
          hash: (JSON.parse(l.text) as AuditRecord).hash,
        };
    const lines = this.lines;
    const failing = (): boolean => this.failing;
    return {
      kind: 'memory',
      async append(entry: AuditEntry): Promise<AuditRecord> {
        if (failing()) throw new GateError('audit-unavailable', 'shared store: simulated failure');
        const record = chainRecord(auditableReport(entry), writer, head.seq + 1, head.hash);
        head = { seq: record.seq, hash: record.hash };
        lines.push({ writer, text: JSON.stringify(record) });
        return record;
      },
      async *readRaw(): AsyncIterable<RawAuditEntry> {
        const snapshot = [...lines];
        for (const [i, l] of snapshot.entries()) yield { location: `shared:${i + 1}`, text: l.text };
      },
      health(): SinkHealth {
        return failing()
          ? { ok: false, detail: 'shared store: failing' }
          : { ok: true, detail: `shared store: ${lines.length} lines` };
      },
      async close() {},
    };
  }
}
