// The environment of an admission request is the webhook path the apiserver
// called, chosen by the namespace's `migrationgate.io/env` label through the
// webhook configuration's namespaceSelectors (charts/migration-gate
// templates/webhook.yaml): /validate/staging for namespaces labelled
// staging, /validate/prod for every other namespace. Plain /validate is prod:
// it is what configurations registered before the split call, and prod is
// the stricter reading, so an old registration can never loosen a verdict.
import type { Environment } from '../contracts/migration-manifest.js';
import type { EnvBinding } from '../config-check.js';
import { ENFORCEMENT_MODES, type EnforcementMode } from '../contracts/enforcement.js';

export const ENV_LABEL = 'migrationgate.io/env';

/**
 * The enforcement mode is chosen the same way, by the namespace's
 * `migrationgate.io/enforcement` label through the webhooks'
 * namespaceSelectors: /validate/<env>/warn and /validate/<env>/audit; the
 * paths without a mode enforce. A label value the chart does not allow
 * selects the default webhook, never no webhook (core/enforcement.ts says
 * what warn and audit may relax).
 */
export const ENFORCEMENT_LABEL = 'migrationgate.io/enforcement';

export const WEBHOOK_PATHS: readonly { path: string; env: Environment; mode: EnforcementMode }[] = [
  { path: '/validate', env: 'prod', mode: 'enforce' },
  ...(['prod', 'staging'] as const).flatMap((env) =>
    ENFORCEMENT_MODES.map((mode) => ({
      path: mode === 'enforce' ? `/validate/${env}` : `/validate/${env}/${mode}`,
      env,
      mode,
    })),
  ),
];

/** The binding the T1 pipeline enforces for a request that came in on `path`. */
export function webhookEnvBinding(env: Environment, path: string): EnvBinding {
  return { allowed: [env], rule: 'env-mismatch', by: `the namespace (webhook path ${path})` };
}

/** A MigrationRequest's spec.env (absent = prod) must be the path's environment. */
export function specEnvMismatch(
  specEnv: Environment | undefined,
  env: Environment,
  path: string,
): string | undefined {
  const claimed = specEnv ?? 'prod';
  if (claimed === env) return undefined;
  return `spec.env is "${claimed}"${specEnv === undefined ? ' (the default)' : ''} but the namespace is bound to "${env}" (webhook path ${path}, namespace label ${ENV_LABEL}); the environment is decided by where the object lands`;
}
