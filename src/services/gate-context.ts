// What every use case needs, bundled once by app.ts.
import type { AuditSink } from '../core/ports/audit.js';
import type { Clock, IdGenerator, Logger } from '../core/ports/runtime.js';
import type { KeyStore } from '../core/ports/keys.js';
import type { PolicyStore } from './policy/policy-store.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { AlertBook } from './alerts.js';
import type { ConfigCheckMemo } from './validation/config-check-memo.js';
import type { TarWalkRunner } from '../core/replication/tar-walk.js';
import type { ChecksumPort } from '../core/ports/checksums.js';

export interface GateContext {
  clock: Clock;
  ids: IdGenerator;
  audit: AuditSink;
  policies: PolicyStore;
  keys: KeyStore;
  logger: Logger;
  metrics: Metrics;
  alerts: AlertBook;
  /** When the audit store fails: true -> BLOCK (default); false -> keep the decision, log and alert. */
  auditFailClosed: boolean;
  /** T1 results remembered by content (services/validation/config-memo.ts); absent: every request is evaluated afresh. */
  configCheckMemo?: ConfigCheckMemo;
  /** Where the tars of a native backup are walked (a worker pool: one tar per core); absent: in this thread. */
  tarWalks?: { run: TarWalkRunner; size: number };
  /** Native checksum implementations (CRC-32C); absent: the core's own, slower. */
  checksums?: ChecksumPort;
}
