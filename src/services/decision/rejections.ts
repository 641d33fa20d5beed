// Evaluations for requests that never reached a pipeline: malformed input,
// no policy set, internal errors. They are decisions too: BLOCK, audited.
import type { Evaluation, Scenario, Subject } from '../../core/contracts/report.js';

export function rejected(
  scenario: Scenario,
  subject: Subject,
  rule: string,
  message: string,
  step = 'request',
): Evaluation {
  return {
    scenario,
    subject,
    steps: [{ step, status: 'fail', detail: message }],
    findings: [{ rule, severity: 'high', action: 'block', message }],
  };
}

export const malformedRequest = (
  scenario: Scenario,
  message: string,
  subject: Subject = {},
  rule = 'malformed-request',
): Evaluation => rejected(scenario, subject, rule, message);

export const policyUnavailable = (scenario: Scenario, subject: Subject): Evaluation =>
  rejected(
    scenario,
    subject,
    'policy-unavailable',
    'no valid policy set is loaded; refusing to decide',
    'policies',
  );

export const internalError = (scenario: Scenario, message: string, subject: Subject = {}): Evaluation =>
  rejected(scenario, subject, 'internal-error', `internal error: ${message}`);
