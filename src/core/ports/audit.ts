// The audit port: where decisions are stored, append-only and hash-chained.
// Adapters: src/adapters/audit/ (file, ConfigMap, stdout); tests use an
// in-memory sink. Every port of the gate is in this folder (docs/architecture.md).
import type { DecisionReport } from '../contracts/report.js';
import type { AuditRecord, StoredRecord } from '../contracts/audit.js';
import type { AlertEvent } from '../contracts/alert.js';
import type { AuditSegmentInfo } from '../audit-index.js';
import type { AuditPage, AuditQuery } from '../audit-query.js';
import type { AuditableReport } from '../audit-record.js';

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
  readonly kind: 'file' | 'configmap' | 'stdout' | 'memory' | 'postgres';
  /** A decision, or an alert transition (kept in the same chain). */
  append(report: DecisionReport | AlertEvent): Promise<StoredRecord>;
  /** Every stored line of every writer, oldest first per writer. */
  readRaw(): AsyncIterable<RawAuditEntry>;
  /**
   * A store with indexes answers the audit page and the request-id lookup
   * itself, with exactly the result the scan of readRaw() would give;
   * without it the services scan.
   */
  readonly indexed?: IndexedAuditReads;
  /**
   * Where each writer's stored chain begins when its older records were
   * archived out of this store (seq and hash of the last archived record);
   * verification of readRaw() starts there instead of at genesis.
   */
  chainStarts?(): Promise<ReadonlyMap<string, ChainStart>>;
  health(): SinkHealth;
  close(): Promise<void>;
  /** Per-segment summaries, so reads that show a page or one decision skip what they do not show. */
  readonly index?: AuditIndex;
  /**
   * The same index for a store other processes also write (ConfigMaps):
   * taken fresh for each read, so it describes the store as it is now.
   */
  readIndex?(): Promise<AuditIndex>;
}

/**
 * Where a writer's stored records begin after the archiver moved older ones
 * out: the last archived record's seq and chain hash, and the compact range
 * (base64, largest subtree first) of the Merkle tree over the archived
 * records, from which that writer's tree resumes. `tree` is absent in a
 * ledger entry written before the archiver kept it.
 */
export interface ChainStart {
  seq: number;
  hash: string;
  tree?: readonly string[];
}

/** A sink's small index (core/audit-index.ts): segment summaries in stored order, and reading one segment back. */
export interface AuditIndex {
  segments(): readonly AuditSegmentInfo[];
  read(segmentId: number): AsyncIterable<RawAuditEntry>;
}

export interface IndexedAuditReads {
  page(query: AuditQuery): Promise<AuditPage>;
  /** Records with this request id, oldest first, at most `max`; `total` counts them all. */
  byRequestId(requestId: string, max: number): Promise<{ records: AuditRecord[]; total: number }>;
  /** The stored lines whose request id column is this one (decisions and alerts), as stored, for proofs. */
  linesByRequestId(requestId: string): AsyncIterable<RawAuditEntry>;
}

/** The group-commit queue a sink puts reports through (adapters/audit/report-queue.ts), injected where a sink lives in another adapter. */
export interface AuditQueue {
  append(report: DecisionReport | AlertEvent): Promise<AuditRecord>;
  close(): Promise<void>;
}
/** Builds the queue around the sink's flush, which makes a whole batch durable (reports already schema-checked). */
export type AuditQueueFactory = (flush: (reports: AuditableReport[]) => Promise<AuditRecord[]>) => AuditQueue;
