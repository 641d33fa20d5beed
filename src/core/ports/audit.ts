// The audit port: where decisions are stored, append-only and hash-chained.
// Adapters: src/adapters/audit/ (file, ConfigMap, stdout); tests use an
// in-memory sink. Every port of the gate is in this folder (docs/architecture.md).
import type { DecisionReport } from '../contracts/report.js';
import type { StoredRecord } from '../contracts/audit.js';
import type { AlertEvent } from '../contracts/alert.js';
import type { AuditSegmentInfo } from '../audit-index.js';

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
  /** A decision, or an alert transition (kept in the same chain). */
  append(report: DecisionReport | AlertEvent): Promise<StoredRecord>;
  /** Every stored line of every writer, oldest first per writer. */
  readRaw(): AsyncIterable<RawAuditEntry>;
  health(): SinkHealth;
  close(): Promise<void>;
  /** Per-segment summaries, so reads that show a page or one decision skip what they do not show. */
  readonly index?: AuditIndex;
}

/** A sink's small index (core/audit-index.ts): segment summaries in stored order, and reading one segment back. */
export interface AuditIndex {
  segments(): readonly AuditSegmentInfo[];
  read(segmentId: number): AsyncIterable<RawAuditEntry>;
}
