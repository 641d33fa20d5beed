// GET /api/v1/verifications/<id>: how far a background snapshot verification
// (a MigrationRequest whose snapshot did not verify inside one admission
// deadline) has got. The id is the one a `[still-verifying]` denial names.
// GET /api/v1/verifications lists them all.
import { GateError } from '../../../core/errors.js';
import type { ApiDeps } from '../api-deps.js';
import { sendJson } from '../respond.js';
import type { RequestContext } from '../router.js';

export const VERIFICATION_PREFIX = '/api/v1/verifications/';

export function verificationRoute(ctx: RequestContext, deps: ApiDeps): void {
  const verifications = deps.verifications;
  const id = ctx.url.searchParams.get('id');
  if (id === null) {
    sendJson(ctx.res, 200, { items: verifications?.list() ?? [] });
    return;
  }
  if (!/^[0-9a-f]{64}$/.test(id))
    throw new GateError(
      'bad-request',
      'a verification id is 64 lowercase hex characters (the one a [still-verifying] denial names)',
    );
  const view = verifications?.view(id);
  if (!view)
    throw new GateError(
      'not-found',
      'no verification with this id is kept here (finished results are kept for 10 minutes, or it ran on another replica)',
    );
  sendJson(ctx.res, 200, view);
}
