// The last step of every use case: decide, write the audit record, count it.
// A decision is answered only after its record is durable. If the audit
// store fails the answer is BLOCK (fail-closed) unless configured otherwise.
import { decide } from '../../core/decision.js';
import type { Caller, DecisionReport, Evaluation, FrontDoor } from '../../core/contracts/report.js';
import type { GateContext } from '../gate-context.js';

export interface RecordOptions {
  requestId: string;
  /** The caller's own id for the request (validated by the adapter), kept beside the gate's. */
  correlationId?: string;
  /** The front door: recorded as subject.source and counted by metrics. */
  source: FrontDoor;
  /** dry run (admission dryRun): same decision, no audit write. */
  dryRun?: boolean;
}

export async function recordDecision(ctx: GateContext, given: Evaluation, opts: RecordOptions): Promise<DecisionReport> {
  const policyDigest = ctx.policies.current()?.digest;
  const evaluation = { ...given, subject: { ...given.subject, source: opts.source, caller: given.subject.caller ?? defaultCaller(opts.source) } };
  const decided = decide(evaluation, {
    requestId: opts.requestId,
    timestamp: ctx.clock.now().toISOString(),
    ...(policyDigest ? { policyDigest } : {}),
  });
  const report = opts.correlationId === undefined ? decided : { ...decided, correlation_id: opts.correlationId };
  const final = opts.dryRun ? report : await persist(ctx, report);
  ctx.metrics.validation(final, opts.source);
  ctx.alerts.fromDecision(final);
  return final;
}

/**
 * Every record says whether the caller was authenticated. The webhook path
 * sets it from the TLS socket; REST and UI decisions come from a request
 * the router authenticated (bearer token or session). Anything else (the
 * CLI's dry runs, a webhook record without one) is, conservatively, not.
 */
function defaultCaller(source: FrontDoor): Caller {
  return source === 'api' || source === 'ui' ? { authenticated: true, via: 'bearer-token' } : { authenticated: false, via: 'none' };
}

async function persist(ctx: GateContext, report: DecisionReport): Promise<DecisionReport> {
  const started = performance.now();
  try {
    await ctx.audit.append(report);
    ctx.metrics.auditCommit(true, (performance.now() - started) / 1000);
    ctx.alerts.setCondition('audit-sink', undefined);
    return report;
  } catch (e) {
    ctx.metrics.auditCommit(false, (performance.now() - started) / 1000);
    const why = e instanceof Error ? e.message : String(e);
    ctx.logger.error('audit write failed', { request_id: report.request_id, error: why });
    ctx.alerts.setCondition('audit-sink', {
      id: 'audit-sink', timestamp: ctx.clock.now().toISOString(), severity: 'critical', kind: 'audit-sink',
      message: `audit store (${ctx.audit.kind}) failed a write: ${why}`,
    });
    if (!ctx.auditFailClosed) return report;
    return auditFailureBlock(report, why);
  }
}

function auditFailureBlock(report: DecisionReport, why: string): DecisionReport {
  const line = `[audit-unavailable] the decision could not be recorded durably (${why}); failing closed`;
  return {
    ...report,
    decision: 'BLOCK',
    findings: [...report.findings, { rule: 'audit-unavailable', severity: 'critical', action: 'block', message: `the decision could not be recorded durably (${why}); failing closed` }],
    reasons: [...report.reasons, line],
  };
}
