// What the services report to metrics. Label values are closed sets: never a
// name, a user or a free-form string.
import type { Decision, DecisionReport, Scenario } from '../core/contracts/report.js';

export type ValidationSource = 'api' | 'cli' | 'webhook';

export interface Metrics {
  validation(report: DecisionReport, source: ValidationSource): void;
  admission(resource: 'configmaps' | 'migrationrequests' | 'other', operation: string, decision: Decision, seconds: number): void;
  auditCommit(ok: boolean, seconds: number): void;
  snapshotBytes(bytes: number, seconds: number): void;
  alert(severity: string): void;
  scenarioDuration?(scenario: Scenario, seconds: number): void;
  /** This writer's live audit segments in etcd and their cap (0: none). */
  auditSegments?(live: number, cap: number): void;
  /** notAfter of the webhook serving certificate, set at start and on every reload. */
  certExpiry?(notAfter: Date): void;
}

export const noMetrics: Metrics = {
  validation() {},
  admission() {},
  auditCommit() {},
  snapshotBytes() {},
  alert() {},
};
