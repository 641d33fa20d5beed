// POST /validate: read and check the AdmissionReview, hand it to the admit
// use case, answer 200 with the review response. Anything unreadable is an
// audited BLOCK answered with problem+json (400/413/415), which the
// apiserver treats as a webhook failure and, with failurePolicy Fail, denies.
import { parseAdmissionReview, type AdmissionReview } from '../../core/admission/admission-review.js';
import type { AdmissionBudget } from '../../core/admission/deadline.js';
import { GateError, isGateError } from '../../core/errors.js';
import { admit, admitFailed, type BoundEnv } from '../../services/admission/admit.js';
import { admitMalformed } from '../../services/admission/malformed.js';
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { Caller } from '../../core/contracts/report.js';
import { mediaType, readBody } from './body.js';
import { toProblem } from './error-map.js';
import { sendJson, sendProblem } from './respond.js';
import type { RequestContext } from './router.js';
import { MAX_REVIEW_BYTES, type WebhookDeps } from './webhook-deps.js';
import { jsonSyntaxProblem, safeMediaType } from '../../core/safe-text.js';

export async function validateAdmissionRoute(
  ctx: RequestContext,
  deps: WebhookDeps,
  budget: AdmissionBudget,
  bound?: BoundEnv,
): Promise<void> {
  const receivedAt = performance.now();
  const caller = callerOf(ctx.req);
  let review: AdmissionReview;
  try {
    review = await readReview(ctx);
  } catch (e) {
    if (!isGateError(e)) throw e;
    const report = await admitMalformed(
      deps.gate,
      e.message,
      ctx.requestId,
      budget.answerByMs - (performance.now() - receivedAt),
      budget.timeoutMs,
      caller,
    );
    sendProblem(ctx.res, toProblem(e), {
      request_id: ctx.requestId,
      decision: report.decision,
      reasons: report.reasons,
    });
    return;
  }
  let outcome;
  try {
    outcome = await admit(
      deps.gate,
      { review, requestId: ctx.requestId, budget, receivedAt, caller, ...(bound ? { bound } : {}) },
      deps.settings,
    );
  } catch (e) {
    outcome = admitFailed(deps.gate, review, ctx.requestId, e);
  }
  sendJson(ctx.res, 200, outcome.body);
}

/**
 * A verified client certificate (mTLS on: the TLS layer already refused
 * every other one) or nobody: without mTLS, userInfo in the review is only
 * what the caller claims.
 */
function callerOf(req: IncomingMessage): Caller {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return { authenticated: false, via: 'none' };
  const cn = socket.getPeerCertificate().subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  return {
    authenticated: true,
    via: 'client-certificate',
    ...(typeof name === 'string' && name ? { cn: name.slice(0, 253) } : {}),
  };
}

async function readReview(ctx: RequestContext): Promise<AdmissionReview> {
  const type = mediaType(ctx.req);
  if (type !== 'application/json') {
    ctx.req.resume();
    throw new GateError(
      'unsupported-media-type',
      `content type ${safeMediaType(type)} is not an AdmissionReview; send application/json`,
    );
  }
  const body = await readBody(ctx.req, MAX_REVIEW_BYTES);
  let value: unknown;
  const text = body.toString('utf8');
  try {
    // Plain JSON.parse: the envelope comes from the apiserver's serializer;
    // the untrusted documents inside (config, manifest) are strings that
    // the T1 pipeline parses strictly, duplicate keys included.
    value = JSON.parse(text);
  } catch {
    throw new GateError('bad-request', `request body is not JSON: ${jsonSyntaxProblem(text)}`);
  }
  const parsed = parseAdmissionReview(value);
  if (!parsed.ok) throw new GateError('bad-request', parsed.message);
  return parsed.review;
}
