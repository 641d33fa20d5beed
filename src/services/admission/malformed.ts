// An AdmissionReview the gate could not read is still a decision: the same
// BLOCK as at every front door (decision/malformed.ts), recorded under the
// answer deadline and counted as an admission. The HTTP layer answers 400 and
// the apiserver applies the webhook's failurePolicy (Fail), so nothing is
// admitted either way.
import type { Caller, DecisionReport } from '../../core/contracts/report.js';
import type { GateContext } from '../gate-context.js';
import { recordWithin } from './record.js';
import { malformedEvaluation } from '../decision/malformed.js';

export async function admitMalformed(
  ctx: GateContext,
  message: string,
  requestId: string,
  answerWithinMs: number,
  timeoutMs: number,
  caller?: Caller,
): Promise<DecisionReport> {
  const started = performance.now();
  const evaluation = malformedEvaluation({
    scenario: 'T1',
    message: `malformed AdmissionReview: ${message}`,
    source: 'webhook',
    requestId,
    ...(caller ? { caller } : {}),
  });
  const report = await recordWithin(
    ctx,
    evaluation,
    {
      requestId,
      source: 'webhook',
    },
    answerWithinMs,
    timeoutMs,
  );
  ctx.metrics.admission('other', 'UNKNOWN', 'BLOCK', (performance.now() - started) / 1000);
  return report;
}
