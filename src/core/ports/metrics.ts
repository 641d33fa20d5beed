// What the services report to metrics. Label values are closed sets: never a
// name, a user or a free-form string.
import type { AdmittedResource } from '../admission/resource.js';
import type { Decision, DecisionReport, FrontDoor, Scenario } from '../contracts/report.js';

export interface Metrics {
  /** `source`: the front door; the adapter counts it by listener (the UI's forms are on the api port). */
  validation(report: DecisionReport, source: FrontDoor): void;
  admission(resource: AdmittedResource, operation: string, decision: Decision, seconds: number): void;
  auditCommit(ok: boolean, seconds: number): void;
  snapshotBytes(bytes: number, seconds: number): void;
  alert(severity: string): void;
  scenarioDuration?(scenario: Scenario, seconds: number): void;
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
