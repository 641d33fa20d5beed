// A request we could not read is still a decision: BLOCK, audited, answered
// as problem+json with the report's reasons.
import type { Scenario } from '../../../core/contracts/report.js';
import type { GateError } from '../../../core/errors.js';
import { recordDecision } from '../../../services/decision/record-decision.js';
import { malformedRequest } from '../../../services/decision/rejections.js';
import type { ApiDeps } from '../api-deps.js';
import { toProblem } from '../error-map.js';
import { sendProblem } from '../respond.js';
import type { RequestContext } from '../router.js';

export async function answerMalformed(ctx: RequestContext, deps: ApiDeps, scenario: Scenario, error: GateError): Promise<void> {
  const report = await recordDecision(deps.gate, malformedRequest(scenario, error.message, { source: 'api' }), {
    requestId: ctx.requestId, ...(ctx.correlationId !== undefined ? { correlationId: ctx.correlationId } : {}), source: 'api',
  });
  sendProblem(ctx.res, toProblem(error), { request_id: ctx.requestId, decision: report.decision, reasons: report.reasons });
}
