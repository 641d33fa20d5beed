// Interfaces the core and the services need from the outside world.
// Adapters implement them; app.ts wires them; tests pass fakes.
import type { KeyObject } from 'node:crypto';
import type { DecisionReport } from './contracts/report.js';
import type { AuditRecord } from './contracts/audit.js';
import type { AuditSegmentInfo } from './audit-index.js';

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}

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
  /** Per-segment summaries, so reads that show a page or one decision skip what they do not show. */
  readonly index?: AuditIndex;
}

/** A sink's small index (core/audit-index.ts): segment summaries in stored order, and reading one segment back. */
export interface AuditIndex {
  segments(): readonly AuditSegmentInfo[];
  read(segmentId: number): AsyncIterable<RawAuditEntry>;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A byte stream whose length may be known up front. */
export interface ByteSource {
  stream: AsyncIterable<Uint8Array>;
  size?: number;
  /** A human name for reports (a URL without credentials, a file name). */
  name: string;
}

/** Opens `file://` / `https://` artifacts with limits (adapters/artifacts). */
export interface ArtifactSource {
  open(url: string, signal?: AbortSignal): Promise<ByteSource>;
}

/** A pinned public key (PEM on disk or from a Secret). */
export interface PinnedKey {
  id: string;
  key: KeyObject;
}

export interface KeyStore {
  keys(): readonly PinnedKey[];
  /** The key-set digest: every cached answer is keyed by it beside the policy digest. */
  digest(): string;
}

/** The key that signs the audit log's checkpoints (its own, never the TLS key). */
export interface AuditSigningKey {
  /** The signed-note key name, `migration-gate/<cluster>`; origins are `<name>/<writer>`. */
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A signed checkpoint as it is handed to a destination outside the store. */
export interface OutgoingCheckpoint {
  origin: string;
  writer: string;
  size: number;
  /** The signed note. */
  note: string;
  /** RFC 6962 consistency proof from an earlier size of the same tree to this one. */
  consistencyFrom(size: number): Buffer[];
}

/** Where checkpoints go so the gate's own writer cannot rewrite them: log shipping, a witness. */
export interface CheckpointDestination {
  readonly name: string;
  send(checkpoint: OutgoingCheckpoint): Promise<{ ok: boolean; detail: string; cosigned?: boolean }>;
}

/** What a writer last published about its tree: its signed checkpoint and whether the witness took it. */
export interface CheckpointBoardEntry {
  writer: string;
  note: string;
  signed_at: string;
  witness?: { ok: boolean; detail: string };
}

/**
 * Where replicas post their latest checkpoint so any replica can show every
 * writer's (ConfigMaps in cluster). A convenience for the status page and
 * API only: what is read back is signature-checked, and trust rests on the
 * witness and shipped logs, not on this board.
 */
export interface CheckpointBoard {
  put(entry: CheckpointBoardEntry): Promise<void>;
  list(): Promise<CheckpointBoardEntry[]>;
}
