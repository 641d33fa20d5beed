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
  /** This writer's live audit segments in etcd and their cap (0: none). */
  auditSegments?(live: number, cap: number): void;
  /** notAfter of the webhook serving certificate, set at start and on every reload. */
  certExpiry?(notAfter: Date): void;
  /** A standing alert condition (audit-chain, audit-sink, policy-load, key-load, cert-expiry) holds or not. */
  condition?(kind: string, active: boolean): void;
  /** Each finished background audit run (services/background-audit.ts). */
  backgroundAudit?(run: {
    objects: number;
    finishedAt: string;
    errors: readonly string[];
    results: Record<'pass' | 'fail' | 'warn' | 'error', number>;
  }): void;
}

export const noMetrics: Metrics = {
  validation() {},
  admission() {},
  auditCommit() {},
  snapshotBytes() {},
  alert() {},
};
