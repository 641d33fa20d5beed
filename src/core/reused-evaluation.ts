// An evaluation computed once and answered again for another request (the T1
// memo, a finished background T2 verification): the pipeline's facts with
// this request's who/what over them, in fresh arrays, so nothing done to one
// answer reaches the next.
import type { Evaluation, Subject } from './contracts/report.js';

export function reusedFor(e: Evaluation, subject: Subject): Evaluation {
  const merged: Record<string, unknown> = { ...e.subject };
  for (const [k, v] of Object.entries(subject)) {
    if (v !== undefined) merged[k] = v;
  }
  return { scenario: e.scenario, subject: merged as Subject, steps: [...e.steps], findings: [...e.findings] };
}
