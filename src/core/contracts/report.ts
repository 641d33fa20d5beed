// The decision report: the REST response body and the audit record payload.
// One schema, used by the pipelines, the OpenAPI document and the tests.
import { z } from 'zod';
import { EnforcementRecordSchema } from './enforcement.js';

export const ScenarioSchema = z.enum(['T1', 'T2']);
export type Scenario = z.infer<typeof ScenarioSchema>;

export const DecisionSchema = z.enum(['ALLOW', 'BLOCK']);
export type Decision = z.infer<typeof DecisionSchema>;

export const SeveritySchema = z.enum(['critical', 'high', 'medium', 'low']);
export type Severity = z.infer<typeof SeveritySchema>;

export const ActionSchema = z.enum(['block', 'warn']);
export type Action = z.infer<typeof ActionSchema>;

export const StepStatusSchema = z.enum(['pass', 'fail', 'skipped']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

export const StepResultSchema = z.object({
  step: z.string(),
  status: StepStatusSchema,
  detail: z.string().optional(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

/** One policy or built-in check that did not hold. `rule` is a stable id. */
export const FindingSchema = z.object({
  rule: z.string(),
  severity: SeveritySchema,
  action: ActionSchema,
  path: z.string().optional(),
  message: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

/**
 * Whether the gate knows who sent the request: a client certificate on the
 * webhook port (GATE_WEBHOOK_CLIENT_CA), a bearer token on the api port, or
 * nothing (webhook without mTLS: `user` is then only what the caller claimed).
 */
export const CallerSchema = z.object({
  authenticated: z.boolean(),
  via: z.enum(['client-certificate', 'bearer-token', 'none']),
  /** The verified client certificate's subject CN. */
  cn: z.string().optional(),
});
export type Caller = z.infer<typeof CallerSchema>;

/**
 * The front door a request came through: the REST API, the status UI's
 * forms, the CLI, the admission webhook. It is the audit record's
 * subject.source and what the metrics' `source` label is computed from.
 */
export type FrontDoor = 'api' | 'ui' | 'cli' | 'webhook';

/** Who and what the decision is about. Never carries secret values. */
export const SubjectSchema = z.object({
  app_id: z.string().optional(),
  env: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  user: z.string().optional(),
  operation: z.string().optional(),
  source: z.string().optional(),
  source_db: z.string().optional(),
  target_db: z.string().optional(),
  snapshot_digest: z.string().optional(),
  caller: CallerSchema.optional(),
  /** Admission: digest of the judged content (core/admission/unchanged.ts), so an unchanged-UPDATE skip is checkable. */
  content_digest: z.string().optional(),
});
export type Subject = z.infer<typeof SubjectSchema>;

export const DecisionReportSchema = z.object({
  request_id: z.string(),
  /** The caller's X-Request-Id, when it sent a plain one: the gate's request_id is always its own. */
  correlation_id: z.string().optional(),
  timestamp: z.string(),
  scenario: ScenarioSchema,
  decision: DecisionSchema,
  subject: SubjectSchema,
  steps: z.array(StepResultSchema),
  findings: z.array(FindingSchema),
  reasons: z.array(z.string()),
  warnings: z.array(z.string()),
  policy_digest: z.string().optional(),
  /** Admission under a warn or audit namespace (core/enforcement.ts): the would-be decision beside the enforced one. */
  enforcement: EnforcementRecordSchema.optional(),
});
export type DecisionReport = z.infer<typeof DecisionReportSchema>;

/**
 * What a pipeline produces before a decision is taken: the pure part.
 * `decide()` (core/decision.ts) turns it into a DecisionReport.
 */
export interface Evaluation {
  scenario: Scenario;
  subject: Subject;
  steps: StepResult[];
  findings: Finding[];
}
