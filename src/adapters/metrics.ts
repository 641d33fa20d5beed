// Prometheus metrics over prom-client, on the gate's own Registry (never the
// global one: two apps in one process, as in tests, must not share counters).
// Every label value comes from a closed set; anything else is counted as
// `other`, so a caller can never mint a time series from a name, a user or a
// path.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DecisionReport, FrontDoor } from '../core/contracts/report.js';
import { ADMITTED_RESOURCES } from '../core/admission/resource.js';
import { T2_RULES } from '../core/replication/findings.js';
import { REQUEST_RULES } from '../core/request-rules.js';
import type { Metrics } from '../core/ports/metrics.js';

const PREFIX = 'migration_gate_';

/** Rule ids the gate itself emits outside the policy files (T1 pipeline, services, admission). */
const GATE_RULES = [
  'manifest-parse-error',
  'manifest-schema',
  'manifest-missing',
  'manifest-ambiguous',
  'manifest-unknown-field',
  'manifest-invalid-hash',
  'outdated-hash-algorithm',
  'config-parse-error',
  'config-schema',
  'config-missing',
  'config-ambiguous',
  'config-hash-mismatch',
  'configmap-invalid',
  'policy-evaluation-error',
  'policy-unavailable',
  'malformed-request',
  'internal-error',
  'deadline-exceeded',
  'audit-unavailable',
  't2-unavailable',
  // MigrationRequest admission (services/admission/migration-request.ts, migration-request-config.ts).
  'migrationrequest-invalid',
  'artifact-unavailable',
  'spec-manifest-mismatch',
  'still-verifying',
  'verifier-busy',
  'config-unavailable',
  'config-too-large',
  // ConfigMap manifest signatures (configmap-input.ts).
  'signature-ambiguous',
] as const;

const SCENARIOS = new Set(['T1', 'T2']);
/**
 * The `source` label of validations_total: the listener a front door is on.
 * The UI's forms are served on the api port and have always been counted as
 * `api` (dashboards rely on it); the audit record names the door itself.
 */
const SOURCE_LABELS: Readonly<Record<FrontDoor, string>> = {
  api: 'api',
  ui: 'api',
  cli: 'cli',
  webhook: 'webhook',
};
const sourceLabel = (source: string): string =>
  Object.hasOwn(SOURCE_LABELS, source) ? SOURCE_LABELS[source as FrontDoor] : 'other';
const DECISIONS = new Set(['ALLOW', 'BLOCK']);
const ACTIONS = new Set(['block', 'warn']);
const SEVERITIES = new Set(['critical', 'high', 'medium', 'low']);
const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT', 'UNKNOWN']);
const RESOURCES = new Set<string>(ADMITTED_RESOURCES);
/** AlertBook condition keys (services/alerts.ts AlertKind, standing ones only). */
const CONDITIONS = ['audit-chain', 'audit-sink', 'policy-load', 'key-load', 'cert-expiry'] as const;

export interface PromMetricsOptions {
  version: string;
  /** Rule ids of the policy set in force; read at each observation, so a reload widens the set. */
  policyRuleIds: () => Iterable<string>;
  /** prom-client's process and Node.js metrics (off in tests that only count). */
  defaults?: boolean;
}

export interface PromMetrics extends Metrics {
  readonly registry: Registry;
  /** The exposition text and its content type, for GET /metrics. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

function closed(value: string, allowed: ReadonlySet<string>): string {
  return allowed.has(value) ? value : 'other';
}

export function createPromMetrics(opts: PromMetricsOptions): PromMetrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const builtInRules = new Set<string>([...GATE_RULES, ...T2_RULES, ...REQUEST_RULES]);
  const ruleLabel = (rule: string): string => {
    if (builtInRules.has(rule)) return rule;
    for (const id of opts.policyRuleIds()) if (id === rule) return rule;
    return 'other';
  };
  const registers = [registry];

  const admissions = new Counter({
    name: `${PREFIX}admission_requests_total`,
    help: 'AdmissionReview requests answered, by resource, operation and decision.',
    labelNames: ['resource', 'operation', 'decision'] as const,
    registers,
  });
  const admissionSeconds = new Histogram({
    name: `${PREFIX}admission_duration_seconds`,
    help: 'Time from receiving an AdmissionReview to answering it.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const validations = new Counter({
    name: `${PREFIX}validations_total`,
    help: 'Decisions made, by scenario, entry point and decision.',
    labelNames: ['scenario', 'source', 'decision'] as const,
    registers,
  });
  const findings = new Counter({
    name: `${PREFIX}policy_findings_total`,
    help: 'Findings in decisions, by rule id (closed set; unknown ids count as "other") and action.',
    labelNames: ['rule', 'action'] as const,
    registers,
  });
  const snapshotBytes = new Counter({
    name: `${PREFIX}snapshot_bytes_verified_total`,
    help: 'Snapshot and WAL bytes streamed through verification.',
    registers,
  });
  const snapshotSeconds = new Histogram({
    name: `${PREFIX}snapshot_verify_duration_seconds`,
    help: 'Time to verify one replication request (snapshot and WAL).',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
    registers,
  });
  const auditRecords = new Counter({
    name: `${PREFIX}audit_records_total`,
    help: 'Audit records written durably.',
    registers,
  });
  const auditErrors = new Counter({
    name: `${PREFIX}audit_write_errors_total`,
    help: 'Audit writes that failed.',
    registers,
  });
  const auditSeconds = new Histogram({
    name: `${PREFIX}audit_commit_duration_seconds`,
    help: 'Time until an audit record was durable (or the write failed).',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const liveSegments = new Gauge({
    name: `${PREFIX}audit_live_segments`,
    help: 'Audit segment ConfigMaps this writer keeps in etcd (configmap sink).',
    registers,
  });
  const segmentCap = new Gauge({
    name: `${PREFIX}audit_segment_cap`,
    help: 'Cap on live audit segments per writer (0: none); decisions BLOCK at it.',
    registers,
  });
  const alerts = new Counter({
    name: `${PREFIX}alerts_total`,
    help: 'Alerts raised, by severity.',
    labelNames: ['severity'] as const,
    registers,
  });
  const certExpiry = new Gauge({
    name: `${PREFIX}tls_cert_expiry_timestamp_seconds`,
    help: 'notAfter of the webhook serving certificate, as a Unix timestamp.',
    registers,
  });
  // 1 while a standing condition holds; every kind starts at 0 so "absent" never means "fine".
  const conditions = new Gauge({
    name: `${PREFIX}alert_condition`,
    help: 'Standing alert conditions (1 while it holds): audit chain broken, audit store failing, policy or key reload refused, certificate near expiry.',
    labelNames: ['kind'] as const,
    registers,
  });
  for (const kind of CONDITIONS) conditions.set({ kind }, 0);
  const conditionKinds = new Set<string>(CONDITIONS);
  // Background audit (services/background-audit.ts): the last run's OpenReports result counts and when it ran.
  const bgResults = new Gauge({
    name: `${PREFIX}background_audit_results`,
    help: 'Results of the last background audit run, by OpenReports result (pass, fail, warn, error).',
    labelNames: ['result'] as const,
    registers,
  });
  const bgObjects = new Gauge({
    name: `${PREFIX}background_audit_objects`,
    help: 'Objects judged by the last background audit run.',
    registers,
  });
  const bgLastRun = new Gauge({
    name: `${PREFIX}background_audit_last_run_timestamp_seconds`,
    help: 'When the last background audit run finished, as a Unix timestamp.',
    registers,
  });
  const bgErrors = new Counter({
    name: `${PREFIX}background_audit_errors_total`,
    help: 'Cluster reads or report writes the background audit could not do.',
    registers,
  });
  const buildInfo = new Gauge({
    name: `${PREFIX}build_info`,
    help: 'Always 1; the labels say which build runs.',
    labelNames: ['version', 'node'] as const,
    registers,
  });
  buildInfo.set({ version: opts.version, node: process.version }, 1);

  return {
    registry,
    validation(report: DecisionReport, source: FrontDoor) {
      validations.inc({
        scenario: closed(report.scenario, SCENARIOS),
        source: sourceLabel(source),
        decision: closed(report.decision, DECISIONS),
      });
      for (const f of report.findings)
        findings.inc({ rule: ruleLabel(f.rule), action: closed(f.action, ACTIONS) });
    },
    admission(resource, operation, decision, seconds) {
      admissions.inc({
        resource: closed(resource, RESOURCES),
        operation: closed(operation, OPERATIONS),
        decision: closed(decision, DECISIONS),
      });
      admissionSeconds.observe(seconds);
    },
    auditCommit(ok, seconds) {
      (ok ? auditRecords : auditErrors).inc();
      auditSeconds.observe(seconds);
    },
    snapshotBytes(bytes, seconds) {
      snapshotBytes.inc(bytes);
      snapshotSeconds.observe(seconds);
    },
    alert(severity) {
      alerts.inc({ severity: closed(severity, SEVERITIES) });
    },
    auditSegments(live, cap) {
      liveSegments.set(live);
      segmentCap.set(cap);
    },
    certExpiry(notAfter) {
      certExpiry.set(notAfter.getTime() / 1000);
    },
    condition(kind, active) {
      conditions.set({ kind: closed(kind, conditionKinds) }, active ? 1 : 0);
    },
    backgroundAudit(run) {
      for (const result of ['pass', 'fail', 'warn', 'error'] as const)
        bgResults.set({ result }, run.results[result]);
      bgObjects.set(run.objects);
      bgLastRun.set(Date.parse(run.finishedAt) / 1000);
      if (run.errors.length > 0) bgErrors.inc(run.errors.length);
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
