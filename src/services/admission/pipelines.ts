// Each admission kind's pipeline (core/admission/kinds.ts is the table; this
// is its column that needs the services): how the input is extracted from
// the object and which check runs on it, within the time left. The mapped
// type makes a kind without a pipeline a compile error.
import type { AdmissionRequest } from '../../core/admission/admission-review.js';
import type { JudgedResource } from '../../core/admission/kinds.js';
import { webhookEnvBinding } from '../../core/admission/webhook-env.js';
import type { Evaluation, Subject } from '../../core/contracts/report.js';
import { describeError } from '../../core/errors.js';
import type { GateContext } from '../gate-context.js';
import { rejected } from '../decision/rejections.js';
import type { AdmitSettings, BoundEnv } from './admit.js';
import { evaluateConfigMap } from './configmap.js';
import { raceDeadline } from './deadline.js';

export interface PipelineCall {
  request: AdmissionRequest;
  subject: Subject;
  settings: AdmitSettings;
  /** Time left (ms) until the gate must have decided. */
  budgetMs: number;
  bound: BoundEnv;
}

/** `'late'`: the budget ran out; `ok: false`: the pipeline threw (a BLOCK with that message). */
export type Pipeline = (ctx: GateContext, call: PipelineCall) => Promise<Evaluated | 'late'>;

export const ADMISSION_PIPELINES: { readonly [R in JudgedResource]: Pipeline } = {
  configmaps: async (ctx, call) => evaluateInTime(() => evaluateConfigMapSafely(ctx, call), call.budgetMs),
  migrationrequests: evaluateReplication,
};

export type Evaluated = { ok: true; evaluation: Evaluation | undefined } | { ok: false; message: string };

/**
 * T1 is synchronous but for its signature check, which waits on the thread
 * pool: no timer is raced against it (a timer per admission was a
 * measurable share), it is timed instead, and a result that took past the
 * deadline is still refused (the apiserver may have given up on the answer).
 * The wait is a node:crypto verification, which always completes.
 */
async function evaluateInTime(work: () => Promise<Evaluated>, budgetMs: number): Promise<Evaluated | 'late'> {
  const started = performance.now();
  const result = await work();
  return performance.now() - started > budgetMs ? 'late' : result;
}

async function evaluateConfigMapSafely(
  ctx: GateContext,
  { request, subject, settings, bound }: PipelineCall,
): Promise<Evaluated> {
  try {
    return {
      ok: true,
      evaluation: await evaluateConfigMap(
        ctx,
        request,
        subject,
        settings,
        webhookEnvBinding(bound.env, bound.path),
      ),
    };
  } catch (e) {
    return evaluationFailed(ctx, request, e);
  }
}

/** T2 streams artifacts: raced against the deadline, with a signal that stops the losing work. */
async function evaluateReplication(
  ctx: GateContext,
  { request, subject, settings, budgetMs, bound }: PipelineCall,
): Promise<Evaluated | 'late'> {
  const replication = settings.replication;
  if (!replication) {
    return {
      ok: true,
      evaluation: rejected(
        'T2',
        subject,
        't2-unavailable',
        'this gate build cannot verify MigrationRequests yet (no artifact source configured); refusing to admit unverified replication',
        'request',
      ),
    };
  }
  const raced = await raceDeadline(async (signal): Promise<Evaluated> => {
    try {
      return { ok: true, evaluation: await replication(request, subject, signal, budgetMs, bound) };
    } catch (e) {
      return evaluationFailed(ctx, request, e);
    }
  }, budgetMs);
  return raced.done ? raced.value : 'late';
}

function evaluationFailed(ctx: GateContext, request: AdmissionRequest, e: unknown): Evaluated {
  ctx.logger.error('admission evaluation failed', { uid: request.uid, error: describeError(e) });
  return { ok: false, message: e instanceof Error ? e.message.slice(0, 200) : 'unexpected failure' };
}
