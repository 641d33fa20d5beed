// A request the gate could not read is still a decision: a BLOCK for
// `malformed-request`, audited and counted, whichever front door it came
// through (REST, the UI's forms, the webhook). The front door only chooses
// how to answer it (problem+json, the form again, AdmissionReview 400).
import type { Caller, DecisionReport, Evaluation, FrontDoor, Scenario } from '../../core/contracts/report.js';
import type { GateContext } from '../gate-context.js';
import { recordDecision } from './record-decision.js';
import { malformedRequest } from './rejections.js';

export interface MalformedInput {
  scenario: Scenario;
  /** What was wrong, for the user (never the input itself). */
  message: string;
  /** The rule id (core/request-rules.ts); `malformed-request` when unset. */
  rule?: string;
  source: FrontDoor;
  requestId: string;
  correlationId?: string;
  caller?: Caller;
}

export function malformedEvaluation(m: MalformedInput): Evaluation {
  return malformedRequest(
    m.scenario,
    m.message,
    { source: m.source, ...(m.caller ? { caller: m.caller } : {}) },
    m.rule,
  );
}

/** Records the BLOCK (fails closed like every decision when the audit store does). */
export function recordMalformed(ctx: GateContext, m: MalformedInput): Promise<DecisionReport> {
  return recordDecision(ctx, malformedEvaluation(m), {
    requestId: m.requestId,
    ...(m.correlationId !== undefined ? { correlationId: m.correlationId } : {}),
    source: m.source,
  });
}
