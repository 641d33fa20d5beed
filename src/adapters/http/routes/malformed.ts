// A request we could not read is still a decision (services/decision/malformed.ts),
// answered as problem+json with the report's reasons.
import type { Scenario } from '../../../core/contracts/report.js';
import type { GateError } from '../../../core/errors.js';
import { requestRuleOf } from '../../../core/request-rules.js';
import { recordMalformed } from '../../../services/decision/malformed.js';
import type { ApiDeps } from '../api-deps.js';
import { toProblem } from '../error-map.js';
import { answerProblem } from '../respond.js';
import type { RequestContext } from '../router.js';

export async function answerMalformed(
  ctx: RequestContext,
  deps: ApiDeps,
  scenario: Scenario,
  error: GateError,
): Promise<void> {
  const report = await recordMalformed(deps.gate, {
    scenario,
    message: error.message,
    rule: requestRuleOf(error.code),
    source: 'api',
    requestId: ctx.requestId,
    ...(ctx.correlationId !== undefined ? { correlationId: ctx.correlationId } : {}),
  });
  await answerProblem(ctx.res, toProblem(error), {
    request_id: ctx.requestId,
    decision: report.decision,
    reasons: report.reasons,
  });
}
