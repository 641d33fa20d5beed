// Use case: answer one AdmissionReview. Each kind of the admission-kinds
// table (core/admission/kinds.ts) runs its pipeline (pipelines.ts): ConfigMaps
// the config check (T1), MigrationRequests the replication check (T2);
// anything else passes (the webhook configuration should not send it).
// Every path that judges content ends in a recorded decision; every failure,
// including running out of time, is a BLOCK with a reason the user can act
// on, never allowed: true.
import type {
  AdmissionRequest,
  AdmissionReview,
  AdmissionReviewResponse,
} from '../../core/admission/admission-review.js';
import type { AdmissionBudget } from '../../core/admission/deadline.js';
import { judgedKindOf } from '../../core/admission/resource.js';
import { passResponse, reviewResponse } from '../../core/admission/response.js';
import { admissionTarget } from '../../core/admission/target.js';
import {
  judgedContentDigest,
  judgedContentUnchanged,
  type JudgedResource,
} from '../../core/admission/unchanged.js';
import type { Environment } from '../../core/contracts/migration-manifest.js';
import type { EnforcementMode } from '../../core/contracts/enforcement.js';
import type { AdmittedDigests } from './admitted-digests.js';
import type { Caller, DecisionReport, Evaluation, Scenario, Subject } from '../../core/contracts/report.js';
import { decide } from '../../core/decision.js';
import { describeError } from '../../core/errors.js';
import type { ConfigMapSettings } from './configmap.js';
import { ADMISSION_PIPELINES, type Evaluated } from './pipelines.js';
import { recordWithin, deadlineExceeded } from './record.js';
import type { GateContext } from '../gate-context.js';
import { internalError } from '../decision/rejections.js';
import { safeIdentifier } from '../../core/safe-text.js';

/** The T2 path, injected by app.ts. `budgetMs`: time left until the gate must have decided. */
export type ReplicationAdmitter = (
  request: AdmissionRequest,
  subject: Subject,
  signal: AbortSignal,
  budgetMs: number,
  bound: BoundEnv,
) => Promise<Evaluation>;

/** The environment the webhook path names (core/admission/webhook-env.ts), and the path for messages. */
export interface BoundEnv {
  env: Environment;
  path: string;
  /** The namespace's enforcement mode (the webhook path); absent: enforce. */
  mode?: EnforcementMode;
}

export interface AdmitSettings extends ConfigMapSettings {
  replication?: ReplicationAdmitter;
  /** Content this gate admitted; without it no unchanged UPDATE is skipped (fail closed). */
  admitted?: AdmittedDigests;
}

export interface AdmitCall {
  review: AdmissionReview;
  requestId: string;
  budget: AdmissionBudget;
  /** performance.now() when the request arrived: the budget counts from there. */
  receivedAt: number;
  /** Absent: prod, as plain /validate. */
  bound?: BoundEnv;
  /** Who is on the other end of the TLS connection (the client certificate, when mTLS is on). */
  caller?: Caller;
}

export interface AdmitOutcome {
  body: AdmissionReviewResponse;
  /** Absent when the request was not judged (passed untouched). */
  report?: DecisionReport;
}

export async function admit(
  ctx: GateContext,
  call: AdmitCall,
  settings: AdmitSettings,
): Promise<AdmitOutcome> {
  const { request } = call.review;
  const kind = judgedKindOf(request);
  const count = (decision: 'ALLOW' | 'BLOCK'): void =>
    ctx.metrics.admission(
      kind?.resource ?? 'other',
      request.operation,
      decision,
      (performance.now() - call.receivedAt) / 1000,
    );

  if (
    !kind ||
    (request.operation !== 'CREATE' && request.operation !== 'UPDATE') ||
    unchangedAdmitted(request, kind.resource, settings)
  ) {
    count('ALLOW');
    return { body: passResponse(request.uid) };
  }
  const digest = judgedContentDigest(kind.resource, request.object);
  const subject = {
    ...subjectOf(request),
    caller: call.caller ?? UNAUTHENTICATED,
    ...(digest ? { content_digest: digest } : {}),
  };
  const scenario: Scenario = kind.scenario;
  const elapsed = (): number => performance.now() - call.receivedAt;
  const bound: BoundEnv = call.bound ?? { env: 'prod', path: '/validate' };

  const evaluated = await ADMISSION_PIPELINES[kind.resource](ctx, {
    request,
    subject,
    settings,
    budgetMs: call.budget.decideByMs - elapsed(),
    bound,
  });
  const evaluation = evaluationOf(evaluated, scenario, subject, call.budget.timeoutMs);
  if (!evaluation) {
    count('ALLOW');
    return { body: passResponse(request.uid) };
  }
  const report = await recordWithin(
    ctx,
    evaluation,
    {
      requestId: call.requestId,
      source: 'webhook',
      dryRun: request.dryRun === true,
      // Always: a rule can pin its own mode even in an enforcing namespace.
      enforcement: { mode: bound.mode ?? 'enforce', env: bound.env },
    },
    call.budget.answerByMs - elapsed(),
    call.budget.timeoutMs,
  );
  count(report.decision);
  if (trustedAdmission(report, request)) settings.admitted?.add(admittedKey(request, digest));
  return { body: reviewResponse(request.uid, report, admissionTarget(request)), report };
}

/**
 * Last line of defence when admit() itself failed (a bug, or the audit
 * path threw): a denial with a reason, unrecorded because recording may be
 * what failed. Never allowed: true.
 */
export function admitFailed(
  ctx: GateContext,
  review: AdmissionReview,
  requestId: string,
  error: unknown,
): AdmitOutcome {
  const { request } = review;
  const kind = judgedKindOf(request);
  // Not a judged kind (it would have passed): the report still needs a scenario.
  const scenario: Scenario = kind?.scenario ?? 'T1';
  ctx.logger.error('admission failed', {
    request_id: requestId,
    uid: request.uid,
    error: describeError(error),
  });
  ctx.metrics.admission(kind?.resource ?? 'other', request.operation, 'BLOCK', 0);
  const report = decide(
    internalError(
      scenario,
      'the gate failed while deciding; see its log for the request id',
      subjectOf(request),
    ),
    {
      requestId,
      timestamp: ctx.clock.now().toISOString(),
    },
  );
  return { body: reviewResponse(request.uid, report, admissionTarget(request)), report };
}

/**
 * Content the unchanged-UPDATE shortcut may trust later. Not a dry run, and
 * not content admitted only because of warn/audit: once the namespace
 * enforces, the same content must be judged again.
 */
function trustedAdmission(report: DecisionReport, request: AdmissionRequest): boolean {
  return report.decision === 'ALLOW' && report.enforcement?.would_be !== 'BLOCK' && request.dryRun !== true;
}

const UNAUTHENTICATED: Caller = { authenticated: false, via: 'none' };

/**
 * The unchanged-UPDATE shortcut, only for content the gate itself admitted:
 * an object from before enforcement, or never judged, is evaluated in full.
 */
function unchangedAdmitted(
  request: AdmissionRequest,
  resource: JudgedResource,
  settings: AdmitSettings,
): boolean {
  return (
    request.operation === 'UPDATE' &&
    judgedContentUnchanged(resource, request.object, request.oldObject) &&
    settings.admitted?.has(admittedKey(request, judgedContentDigest(resource, request.oldObject))) === true
  );
}

/** A pipeline's outcome as an evaluation: running late or throwing is a BLOCK; undefined means not judged. */
function evaluationOf(
  evaluated: Evaluated | 'late',
  scenario: Scenario,
  subject: Subject,
  timeoutMs: number,
): Evaluation | undefined {
  if (evaluated === 'late') return deadlineExceeded(scenario, subject, timeoutMs);
  if (evaluated.ok) return evaluated.evaluation;
  return internalError(scenario, evaluated.message, subject);
}

/** Content admitted for one object says nothing about another (policies may depend on the namespace). */
function admittedKey(request: AdmissionRequest, digest: string | undefined): string | undefined {
  const t = admissionTarget(request);
  return digest === undefined ? undefined : JSON.stringify([t.kind, t.namespace ?? '', t.name ?? '', digest]);
}

function subjectOf(request: AdmissionRequest): Subject {
  const target = admissionTarget(request);
  return {
    kind: target.kind,
    ...(target.namespace ? { namespace: target.namespace } : {}),
    ...(target.name ? { name: target.name } : {}),
    ...(request.userInfo.username ? { user: safeIdentifier(request.userInfo.username) } : {}),
    operation: request.operation,
    source: 'webhook',
  };
}
