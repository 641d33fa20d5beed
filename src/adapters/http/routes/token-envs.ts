// The REST half of "the environment is decided by where the request comes
// from": each bearer token carries the environments it may vouch for
// (GATE_API_TOKENS_FILE `envs=`, GATE_API_TOKEN_REVIEW_ENVS); a manifest
// claiming another one is refused, audited, and answered 403, because the
// caller is not allowed to ask, whatever the content.
import type { DecisionReport } from '../../../core/contracts/report.js';
import type { EnvBinding } from '../../../core/config-check.js';
import { ALL_ENVS } from '../auth.js';
import type { RequestContext } from '../router.js';

export const ENV_NOT_PERMITTED = 'env-not-permitted';

export function tokenEnvBinding(ctx: RequestContext): EnvBinding {
  return { allowed: ctx.envs ?? ALL_ENVS, rule: ENV_NOT_PERMITTED, by: 'the API token' };
}

/** ALLOW 200, BLOCK 422, and 403 when the token may not vouch for the claimed environment. */
export function statusOf(report: DecisionReport): number {
  if (report.decision === 'ALLOW') return 200;
  return report.findings.some((f) => f.rule === ENV_NOT_PERMITTED) ? 403 : 422;
}
