// Steps + findings -> ALLOW/BLOCK report. The only place a decision is taken.
import type { DecisionReport, Evaluation, Finding } from './contracts/report.js';

export interface DecisionContext {
  requestId: string;
  timestamp: string;
  policyDigest?: string;
}

/** `[rule] message (at path)`: one human line per cause. */
export function reasonLine(f: Finding): string {
  const at = f.path ? ` (at ${f.path})` : '';
  return `[${f.rule}] ${f.message}${at}`;
}

/**
 * BLOCK when any finding blocks or any step failed. A failed step that
 * produced no finding of its own still blocks, with a generic reason, so a
 * pipeline bug can never turn a failure into an ALLOW.
 */
export function decide(evaluation: Evaluation, ctx: DecisionContext): DecisionReport {
  const blocking = evaluation.findings.filter((f) => f.action === 'block');
  const reasons = blocking.map(reasonLine);
  const failedSteps = evaluation.steps.filter((s) => s.status === 'fail');
  if (reasons.length === 0 && failedSteps.length > 0) {
    for (const s of failedSteps) reasons.push(`[step-failed] ${s.step}: ${s.detail ?? 'failed'}`);
  }
  if (reasons.length === 0 && evaluation.steps.length === 0) {
    reasons.push('[no-checks-ran] the pipeline ran no step; refusing to allow unchecked input');
  }
  const report: DecisionReport = {
    request_id: ctx.requestId,
    timestamp: ctx.timestamp,
    scenario: evaluation.scenario,
    decision: reasons.length > 0 ? 'BLOCK' : 'ALLOW',
    subject: evaluation.subject,
    steps: evaluation.steps,
    findings: evaluation.findings,
    reasons,
    warnings: evaluation.findings.filter((f) => f.action === 'warn').map(reasonLine),
  };
  if (ctx.policyDigest) report.policy_digest = ctx.policyDigest;
  return report;
}
