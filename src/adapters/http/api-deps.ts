// What the REST routes need: the gate's services plus the settings that
// shape HTTP (limits). Built once in app.ts.
import type { AuditSnapshots } from '../../services/audit/audit-snapshot.js';
import type { GateContext } from '../../services/gate-context.js';
import type { ReplicationRouteDeps } from './routes/validate-replication.js';

export interface ApiLimits {
  maxBodyBytes: number;
  maxConfigBytes: number;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; detail: string }>;
}

export interface ApiDeps {
  gate: GateContext;
  limits: ApiLimits;
  readiness: () => Readiness;
  buildInfo: { version: string };
  replication: ReplicationRouteDeps;
  /** The one walker of the audit log for the pages and /audit/verify (one per gate). */
  auditSnapshots: AuditSnapshots;
}
