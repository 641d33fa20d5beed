// What the REST routes need: the gate's services plus the settings that
// shape HTTP (limits). Built once in app.ts.
import type { AuditSnapshots } from '../../services/audit/audit-snapshot.js';
import type { AuditTrees } from '../../services/audit/audit-trees.js';
import type { GateContext } from '../../services/gate-context.js';
import type { BackgroundVerifications } from '../../services/admission/verifications.js';
import type { ReplicationRouteDeps } from './routes/validate-replication.js';
import type { Readiness } from '../../services/health/readiness.js';

export interface ApiLimits {
  maxBodyBytes: number;
  maxConfigBytes: number;
}

// Readiness is computed by services/health/readiness.ts; the routes only serve it.
export type { Readiness };

export interface ApiDeps {
  gate: GateContext;
  limits: ApiLimits;
  readiness: () => Readiness;
  buildInfo: { version: string };
  replication: ReplicationRouteDeps;
  /** The one walker of the audit log for the pages and /audit/verify (one per gate). */
  auditSnapshots: AuditSnapshots;
  /** Background snapshot verifications of MigrationRequests (progress for the API and the status page). */
  verifications?: BackgroundVerifications;
  /** Where the locally generated API token was written, for the login page. */
  tokenFile?: string;
  /** The Merkle trees, checkpoints and proofs of the audit log (absent in tests that build routes without them). */
  auditTrees?: AuditTrees;
}
