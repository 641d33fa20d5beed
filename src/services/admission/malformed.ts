// An AdmissionReview the gate could not read is still a decision: a BLOCK,
// audited, counted. The HTTP layer answers 400 and the apiserver applies the
// webhook's failurePolicy (Fail), so nothing is admitted either way.
import type { Caller, DecisionReport } from '../../core/contracts/report.js';
import type { GateContext } from '../gate-context.js';
import { recordWithin } from './record.js';
import { malformedRequest } from '../decision/rejections.js';

export async function admitMalformed(ctx: GateContext, message: string, requestId: string, answerWithinMs: number, timeoutMs: number, caller?: Caller): Promise<DecisionReport> {
  const started = performance.now();
  const report = await recordWithin(ctx, malformedRequest('T1', `malformed AdmissionReview: ${message}`, { source: 'webhook', ...(caller ? { caller } : {}) }), {
    requestId, source: 'webhook',
  }, answerWithinMs, timeoutMs);
  ctx.metrics.admission('other', 'UNKNOWN', 'BLOCK', (performance.now() - started) / 1000);
  return report;
}
