// GET /api/v1/alerts: firing alerts (most urgent first) and recently
// resolved ones. POST /api/v1/alerts/acknowledge and /resolve: a person
// takes an alert ({"key", "reason"}); who is the authenticated principal,
// and the transition is written to the audit store before the answer.
import { GateError } from '../../../core/errors.js';
import { isEchoable } from '../../../core/safe-text.js';
import type { AlertState } from '../../../services/alerts.js';
import type { AlertBook } from '../../../services/alerts.js';
import type { ApiDeps } from '../api-deps.js';
import { mediaType, readBody } from '../body.js';
import { sendJson } from '../respond.js';
import type { RequestContext } from '../router.js';

export function alertsRoute(ctx: RequestContext, deps: ApiDeps): void {
  const all = deps.gate.alerts.all(200);
  sendJson(ctx.res, 200, {
    items: all.filter((a) => a.status === 'firing'),
    resolved: all.filter((a) => a.status === 'resolved').slice(0, 50),
  });
}

export interface AlertTake {
  key: string;
  reason: string;
}

/** The reason is stored and shown: plain text, no control characters, nothing that looks like a credential. */
export function checkAlertTake(key: unknown, reason: unknown): AlertTake {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200)
    throw new GateError('bad-request', 'key: the alert key (as listed by GET /api/v1/alerts) is required');
  if (typeof reason !== 'string' || reason.trim().length === 0)
    throw new GateError('bad-request', 'reason: say why (it is kept in the audit log)');
  if (reason.length > 500) throw new GateError('bad-request', 'reason: at most 500 characters');
  if (!isEchoable(reason) || !isEchoable(key))
    throw new GateError(
      'bad-request',
      'key/reason: control characters or something that looks like a credential are not accepted',
    );
  return { key, reason: reason.trim() };
}

export async function takeAlert(
  book: AlertBook,
  how: 'acknowledge' | 'resolve',
  take: AlertTake,
  by: string,
): Promise<AlertState> {
  return how === 'acknowledge'
    ? book.acknowledge(take.key, by, take.reason)
    : book.resolve(take.key, by, take.reason);
}

export function alertTakeRoute(how: 'acknowledge' | 'resolve') {
  return async (ctx: RequestContext, deps: ApiDeps): Promise<void> => {
    if (mediaType(ctx.req) !== 'application/json') {
      ctx.req.resume();
      throw new GateError('unsupported-media-type', 'send application/json: {"key": "...", "reason": "..."}');
    }
    let body: { key?: unknown; reason?: unknown };
    try {
      body = JSON.parse((await readBody(ctx.req, 8 * 1024)).toString('utf8')) as typeof body;
    } catch {
      throw new GateError('bad-request', 'the body is not JSON');
    }
    if (body === null || typeof body !== 'object')
      throw new GateError('bad-request', 'the body must be a JSON object');
    const take = checkAlertTake(body.key, body.reason);
    sendJson(ctx.res, 200, await takeAlert(deps.gate.alerts, how, take, ctx.principal ?? 'unknown'));
  };
}
