// In-memory AuditSink for tests of other modules. Chains exactly like the
// real sinks (same core functions), so verify works on what it holds, and
// `failNext(n)` simulates an unavailable store for fail-closed tests.
import { auditableReport, chainRecord, GENESIS_HEAD, type ChainHead } from '../../src/core/audit-record.js';
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import type { AuditEntry } from '../../src/core/audit-record.js';
import { GateError } from '../../src/core/errors.js';
import type { AuditSink, RawAuditEntry, SinkHealth } from '../../src/core/ports/audit.js';

export class MemoryAuditSink implements AuditSink {
  readonly kind = 'memory';
  /** Durable records, oldest first. */
  readonly records: AuditRecord[] = [];
  /** The stored lines; tests may edit them to simulate tampering. */
  readonly lines: string[] = [];
  #head: ChainHead = GENESIS_HEAD;
  #failures = 0;
  #closed = false;

  constructor(readonly writer = 'test-writer') {}

  /** The next `n` appends reject with audit-unavailable and store nothing. */
  failNext(n = 1): this {
    this.#failures = n;
    return this;
  }

  async append(report: AuditEntry): Promise<AuditRecord> {
    if (this.#closed) throw new GateError('audit-unavailable', 'audit sink is closed');
    if (this.#failures > 0) {
      this.#failures -= 1;
      throw new GateError('audit-unavailable', 'memory audit sink: simulated failure');
    }
    const record = chainRecord(auditableReport(report), this.writer, this.#head.seq + 1, this.#head.hash);
    this.#head = { seq: record.seq, hash: record.hash };
    this.records.push(record);
    this.lines.push(JSON.stringify(record));
    return record;
  }

  async *readRaw(): AsyncIterable<RawAuditEntry> {
    // Snapshot: appends during iteration are not part of this read.
    const lines = [...this.lines];
    for (const [i, text] of lines.entries()) yield { location: `memory:${i + 1}`, text };
  }

  health(): SinkHealth {
    if (this.#closed) return { ok: false, detail: 'memory audit sink: closed' };
    if (this.#failures > 0)
      return { ok: false, detail: `memory audit sink: ${this.#failures} simulated failure(s) pending` };
    return { ok: true, detail: `memory audit sink: ${this.records.length} records` };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

export function createMemoryAuditSink(writer?: string): MemoryAuditSink {
  return new MemoryAuditSink(writer);
}
