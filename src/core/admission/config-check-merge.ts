// A MigrationRequest with spec.config is judged by two pipelines: T2 on the
// snapshot and T1 on the app config. The answer is still one decision and one
// audit record, with scenario T2 (the report enum and the metric labels know
// T1 and T2 only), so the T1 evaluation is folded into the T2 one. decide()
// then blocks on any blocking finding or failed step of either half.
import type { Evaluation, StepResult, Subject } from '../contracts/report.js';

/** T1 steps are listed as `config.parse`, `config.hash`, …: the report says which half a step belongs to. */
export const CONFIG_STEP_PREFIX = 'config.';

export function withConfigCheck(replication: Evaluation, config: Evaluation): Evaluation {
  return {
    scenario: replication.scenario,
    subject: { ...appOf(config.subject), ...replication.subject },
    steps: [...replication.steps, ...config.steps.map(prefixed)],
    // Rule ids are kept as they are: the denial lines name them exactly as
    // they would for the same config in a ConfigMap.
    findings: [...replication.findings, ...config.findings],
  };
}

function prefixed(s: StepResult): StepResult {
  return { ...s, step: `${CONFIG_STEP_PREFIX}${s.step}` };
}

/** Only what the T1 manifest adds about the app; who/what/where stays the request's. */
function appOf(subject: Subject): Subject {
  return {
    ...(subject.app_id !== undefined ? { app_id: subject.app_id } : {}),
    ...(subject.version !== undefined ? { version: subject.version } : {}),
  };
}
