// The last step of every use case: decide, write the audit record, count it.
// A decision is answered only after its record is durable. If the audit
// store fails the answer is BLOCK (fail-closed) unless configured otherwise.
import { decide } from '../../core/decision.js';
import type { Caller, DecisionReport, Evaluation, FrontDoor } from '../../core/contracts/report.js';
import type { GateContext } from '../gate-context.js';
import { describeError } from '../../core/errors.js';
import type { EnforcementMode } from '../../core/contracts/enforcement.js';
import type { PolicyEnv } from '../../core/contracts/policy-file.js';
import { applyEnforcement } from '../../core/enforcement.js';

export interface RecordOptions {
  requestId: string;
  /** The caller's own id for the request (validated by the adapter), kept beside the gate's. */
  correlationId?: string;
  /** The front door: recorded as subject.source and counted by metrics. */
  source: FrontDoor;
  /** dry run (admission dryRun): same decision, no audit write. */
  dryRun?: boolean;
  /** Admission in a namespace with an enforcement mode (core/enforcement.ts); absent: enforce, nothing noted. */
  enforcement?: { mode: EnforcementMode; env: PolicyEnv };
}

export async function recordDecision(
  ctx: GateContext,
  given: Evaluation,
  opts: RecordOptions,
): Promise<DecisionReport> {
  const policyDigest = ctx.policies.current()?.digest;
  const evaluation = {
    ...given,
    subject: {
      ...given.subject,
      source: opts.source,
      caller: given.subject.caller ?? defaultCaller(opts.source),
    },
  };
  const decided = decide(evaluation, {
    requestId: opts.requestId,
    timestamp: ctx.clock.now().toISOString(),
    ...(policyDigest ? { policyDigest } : {}),
  });
  const enforced = opts.enforcement
    ? applyEnforcement(decided, {
        ...opts.enforcement,
        rules: new Map((ctx.policies.current()?.rules ?? []).map((r) => [r.id, r])),
      })
    : decided;
  const report =
    opts.correlationId === undefined ? enforced : { ...enforced, correlation_id: opts.correlationId };
  const final = opts.dryRun ? report : await persist(ctx, report);
  ctx.metrics.validation(final, opts.source);
  ctx.alerts.fromDecision(final);
  logDecision(ctx, final, opts);
  return final;
}

/**
 * Every record says whether the caller was authenticated. The webhook path
 * sets it from the TLS socket; REST and UI decisions come from a request
 * the router authenticated (bearer token or session). Anything else (the
 * CLI's dry runs, a webhook record without one) is, conservatively, not.
 */
function defaultCaller(source: FrontDoor): Caller {
  return source === 'api' || source === 'ui'
    ? { authenticated: true, via: 'bearer-token' }
    : { authenticated: false, via: 'none' };
}

async function persist(ctx: GateContext, report: DecisionReport): Promise<DecisionReport> {
  const started = performance.now();
  try {
    await ctx.audit.append(report);
    ctx.metrics.auditCommit(true, (performance.now() - started) / 1000);
    ctx.alerts.setCondition('audit-sink', undefined, 'audit-sink');
    // The store takes writes again: alert transitions it refused meanwhile go in now.
    void ctx.alerts.flush();
    return report;
  } catch (e) {
    ctx.metrics.auditCommit(false, (performance.now() - started) / 1000);
    const why = describeError(e);
    ctx.logger.error('audit write failed', { request_id: report.request_id, error: why });
    ctx.alerts.setCondition('audit-sink', {
      timestamp: ctx.clock.now().toISOString(),
      severity: 'critical',
      kind: 'audit-sink',
      message: `audit store (${ctx.audit.kind}) failed a write: ${why}`,
    });
    if (!ctx.auditFailClosed) return report;
    return auditFailureBlock(report, why);
  }
}

/**
 * One structured line per decision: ids, scenario, decision, rule ids and
 * who/what it was about. Never a value: reasons and findings' messages stay
 * in the audit record (they may quote where a secret was found).
 */
function logDecision(ctx: GateContext, r: DecisionReport, opts: RecordOptions): void {
  const s = r.subject;
  const subject = Object.fromEntries(
    Object.entries({
      app_id: s.app_id,
      env: s.env,
      kind: s.kind,
      namespace: s.namespace,
      name: s.name,
      user: s.user,
      source: s.source,
      source_db: s.source_db,
      target_db: s.target_db,
    }).filter(([, v]) => v !== undefined),
  );
  const blocking = [...new Set(r.findings.filter((f) => f.action === 'block').map((f) => f.rule))];
  const warning = [...new Set(r.findings.filter((f) => f.action === 'warn').map((f) => f.rule))];
  ctx.logger.info('decision', {
    request_id: r.request_id,
    ...(r.correlation_id ? { correlation_id: r.correlation_id } : {}),
    scenario: r.scenario,
    decision: r.decision,
    rules: blocking,
    warnings: warning,
    subject,
    via: opts.source,
    ...(opts.dryRun ? { dry_run: true } : {}),
  });
}

function auditFailureBlock(report: DecisionReport, why: string): DecisionReport {
  const line = `[audit-unavailable] the decision could not be recorded durably (${why}); failing closed`;
  return {
    ...report,
    decision: 'BLOCK',
    // Fail-closed wins over warn/audit: the record says it was enforced.
    ...(report.enforcement
      ? {
          enforcement: {
            ...report.enforcement,
            outcome: 'BLOCK' as const,
            enforced: [...report.enforcement.enforced, 'audit-unavailable'],
          },
        }
      : {}),
    findings: [
      ...report.findings,
      {
        rule: 'audit-unavailable',
        severity: 'critical',
        action: 'block',
        message: `the decision could not be recorded durably (${why}); failing closed`,
      },
    ],
    reasons: [...report.reasons, line],
  };
}
