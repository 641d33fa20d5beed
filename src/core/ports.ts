// Interfaces the core and the services need from the outside world.
// Adapters implement them; app.ts wires them; tests pass fakes.
import type { KeyObject } from 'node:crypto';
import type { DecisionReport } from './contracts/report.js';
import type { AuditRecord } from './contracts/audit.js';

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
  /** A pg_basebackup output directory (file:// only): backup_manifest bytes and its tars, opened lazily. */
  openBackupDir?(url: string, signal?: AbortSignal): Promise<BackupDirArtifact>;
}

export interface BackupDirArtifact {
  manifestBytes: Uint8Array;
  files: { name: string; open(): Promise<ByteSource> }[];
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
