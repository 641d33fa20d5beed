// Background audit results as OpenReports (`openreports.io/v1alpha1`
// Report, the format Kyverno and Kubewarden moved to and Policy Reporter
// reads): one Report per namespace, one result per finding of each object
// the gate re-evaluated (fail for a blocking finding, warn for a warning,
// error when the gate could not decide), and one `pass` for a clean object.
// Messages are the findings' own (never a value: see safe-text).
import type { DecisionReport, Finding } from '../contracts/report.js';

export const OPENREPORTS_API_VERSION = 'openreports.io/v1alpha1';
export const REPORT_NAME = 'migration-gate';
export const REPORT_SOURCE = 'migration-gate';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export type ReportResultValue = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

export interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  result: ReportResultValue;
  severity?: 'critical' | 'high' | 'medium' | 'low' | 'info';
  message: string;
  scored: boolean;
  category: string;
  timestamp: { seconds: number; nanos: number };
  resources: ObjectRef[];
  properties: Record<string, string>;
}

export interface OpenReport {
  apiVersion: typeof OPENREPORTS_API_VERSION;
  kind: 'Report';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  scope: { apiVersion: 'v1'; kind: 'Namespace'; name: string };
  source: string;
  summary: Record<ReportResultValue, number>;
  results: ReportResult[];
}

/** One object the background audit judged. */
export interface AuditedObject {
  ref: ObjectRef;
  report: DecisionReport;
}

/** The gate could not decide: not a verdict about the object. */
const GATE_ERRORS: ReadonlySet<string> = new Set([
  'internal-error',
  'policy-unavailable',
  'deadline-exceeded',
  'audit-unavailable',
  'no-checks-ran',
]);

function resultOf(f: Finding): ReportResultValue {
  if (GATE_ERRORS.has(f.rule)) return 'error';
  return f.action === 'block' ? 'fail' : 'warn';
}

function results(o: AuditedObject, seconds: number, policyDigest: string | undefined): ReportResult[] {
  const base = {
    source: REPORT_SOURCE,
    policy: `migration-gate/${o.report.scenario}`,
    scored: true,
    category: o.report.scenario === 'T1' ? 'config-integrity' : 'replication-integrity',
    timestamp: { seconds, nanos: 0 },
    resources: [o.ref],
  };
  const props = (extra: Record<string, string> = {}): Record<string, string> => ({
    decision: o.report.decision,
    ...(policyDigest ? { policy_digest: policyDigest } : {}),
    ...extra,
  });
  if (o.report.findings.length === 0) {
    return [
      {
        ...base,
        rule: 'all-checks',
        result: o.report.decision === 'ALLOW' ? 'pass' : 'error',
        message: o.report.decision === 'ALLOW' ? 'every check passed' : (o.report.reasons[0] ?? 'blocked'),
        properties: props(),
      },
    ];
  }
  return o.report.findings.map((f) => ({
    ...base,
    rule: f.rule,
    result: resultOf(f),
    severity: f.severity,
    message: f.message.slice(0, 1000),
    properties: props(f.path ? { path: f.path } : {}),
  }));
}

/** One Report per namespace that has judged objects, results in a stable order (namespace, object name, rule). */
export function namespaceReports(
  objects: readonly AuditedObject[],
  now: Date,
  policyDigest?: string,
): OpenReport[] {
  const seconds = Math.floor(now.getTime() / 1000);
  const byNs = new Map<string, AuditedObject[]>();
  for (const o of objects) byNs.set(o.ref.namespace, [...(byNs.get(o.ref.namespace) ?? []), o]);
  return [...byNs.keys()].sort().map((namespace) => {
    const rs = byNs
      .get(namespace)!
      .sort((a, b) => a.ref.name.localeCompare(b.ref.name))
      .flatMap((o) => results(o, seconds, policyDigest));
    return namespaceReport(namespace, rs, now, policyDigest);
  });
}

/** An enforced namespace where nothing is gated still gets a (clean, empty) report, so stale results disappear. */
export function emptyReport(namespace: string, now: Date, policyDigest?: string): OpenReport {
  return namespaceReport(namespace, [], now, policyDigest);
}

function namespaceReport(
  namespace: string,
  rs: OpenReport['results'],
  now: Date,
  policyDigest: string | undefined,
): OpenReport {
  const summary: Record<ReportResultValue, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of rs) summary[r.result] += 1;
  return {
    apiVersion: OPENREPORTS_API_VERSION,
    kind: 'Report',
    metadata: {
      name: REPORT_NAME,
      namespace,
      labels: { [MANAGED_BY_LABEL]: 'migration-gate' },
      annotations: {
        'migrationgate.io/evaluated-at': now.toISOString(),
        ...(policyDigest ? { 'migrationgate.io/policy-digest': policyDigest } : {}),
      },
    },
    scope: { apiVersion: 'v1', kind: 'Namespace', name: namespace },
    source: REPORT_SOURCE,
    summary,
    results: rs,
  };
}
