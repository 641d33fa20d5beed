// Recording an admission decision under the answer deadline. A decision is
// normally answered only once its audit record is durable; when the audit
// store is too slow to make the apiserver's timeout, the gate answers a BLOCK
// it can explain instead of letting the apiserver time out. A BLOCK is safe
// to send unrecorded: it lets nothing through.
import { decide } from '../../core/decision.js';
import type { DecisionReport, Evaluation, Scenario, Subject } from '../../core/contracts/report.js';
import { raceTimer } from './deadline.js';
import type { GateContext } from '../gate-context.js';
import { recordDecision, type RecordOptions } from '../decision/record-decision.js';
import { rejected } from '../decision/rejections.js';

export function deadlineExceeded(scenario: Scenario, subject: Subject, timeoutMs: number): Evaluation {
  return rejected(
    scenario,
    subject,
    'deadline-exceeded',
    `migration-gate did not finish in time (webhook timeout ${timeoutMs / 1000}s); retry, or pre-verify through the REST API`,
    'deadline',
  );
}

export async function recordWithin(
  ctx: GateContext,
  evaluation: Evaluation,
  opts: RecordOptions,
  ms: number,
  timeoutMs: number,
): Promise<DecisionReport> {
  const raced = await raceTimer(recordDecision(ctx, evaluation, opts), ms);
  if (raced.done) return raced.value;
  // The original record may still land later; the log ties the two together.
  ctx.logger.error('audit write missed the admission deadline; answering BLOCK', {
    request_id: opts.requestId,
  });
  const late = deadlineExceeded(evaluation.scenario, evaluation.subject, timeoutMs);
  late.findings[0]!.message = `${late.findings[0]!.message} (the audit record could not be written in time)`;
  const policyDigest = ctx.policies.current()?.digest;
  return decide(late, {
    requestId: opts.requestId,
    timestamp: ctx.clock.now().toISOString(),
    ...(policyDigest ? { policyDigest } : {}),
  });
}
