// Shared by the two validation forms: a request the gate could not read is a
// decision too (BLOCK, audited, like the REST API), shown with its report.
import type { Scenario } from '../../../core/contracts/report.js';
import { isGateError } from '../../../core/errors.js';
import { recordDecision } from '../../../services/record-decision.js';
import { malformedRequest } from '../../../services/rejections.js';
import type { DecisionReport } from '../../../core/contracts/report.js';
import type { RequestContext } from '../router.js';
import type { UiDeps } from './ui-deps.js';

export interface FormOutcome {
  report: DecisionReport;
  /** Set when the form itself was malformed. */
  error?: string;
}

export async function decideForm(ctx: RequestContext, deps: UiDeps, scenario: Scenario, run: () => Promise<DecisionReport>): Promise<FormOutcome> {
  try {
    return { report: await run() };
  } catch (e) {
    if (!isGateError(e)) throw e;
    if (!ctx.req.complete) ctx.req.resume();
    const report = await recordDecision(deps.api.gate, malformedRequest(scenario, e.message, { source: 'ui' }), { requestId: ctx.requestId, source: 'api' });
    return { report, error: e.message };
  }
}

export function statusOf(o: FormOutcome): number {
  if (o.error) return 400;
  return o.report.decision === 'ALLOW' ? 200 : 422;
}
