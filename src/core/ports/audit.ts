// The audit port: where decisions are stored, append-only and hash-chained.
// Adapters: src/adapters/audit/ (file, ConfigMap, stdout); tests use an
// in-memory sink. Every port of the gate is in this folder (docs/architecture.md).
import type { DecisionReport } from '../contracts/report.js';
import type { AuditRecord } from '../contracts/audit.js';

/** One stored line of the audit log, before parsing: verification needs the raw text. */
export interface RawAuditEntry {
  /** Where it lives, for humans: `audit.jsonl:17`, `configmap migration-gate-audit-pod-a-000002 line 3`. */
  location: string;
  text: string;
}

export interface SinkHealth {
  ok: boolean;
  detail: string;
}

/**
 * Append-only, hash-chained store of decisions. `append` resolves only when
 * the record is durable (fsync'd / accepted by the apiserver); it rejects
 * otherwise and the caller fails closed.
 */
export interface AuditSink {
  readonly kind: 'file' | 'configmap' | 'stdout' | 'memory';
  append(report: DecisionReport): Promise<AuditRecord>;
  /** Every stored line of every writer, oldest first per writer. */
  readRaw(): AsyncIterable<RawAuditEntry>;
  health(): SinkHealth;
  close(): Promise<void>;
}
