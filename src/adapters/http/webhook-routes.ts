// The webhook port: POST /validate/prod, /validate/staging and plain
// /validate (= prod; core/admission/webhook-env.ts says why), all
// AdmissionReview v1, and /healthz. No
// bearer auth here: only the apiserver talks to this port (NetworkPolicy and
// TLS with the CA it was given), and the answer only matters to it.
import { admissionBudget } from '../../core/admission/deadline.js';
import { WEBHOOK_PATHS } from '../../core/admission/webhook-env.js';
import type { IdGenerator, Logger } from '../../core/ports/runtime.js';
import type { WebhookDeps } from './webhook-deps.js';
import { sendJson } from './respond.js';
import { createRouter, type Route } from './router.js';
import { validateAdmissionRoute } from './webhook-validate.js';

export type { WebhookDeps } from './webhook-deps.js';

export function webhookRoutes(deps: WebhookDeps): Route[] {
  return [
    ...WEBHOOK_PATHS.map(({ path, env, mode }): Route => ({
      method: 'POST',
      path,
      auth: false,
      handler: (c) =>
        validateAdmissionRoute(
          c,
          deps,
          admissionBudget(c.url.searchParams.get('timeout'), deps.defaultTimeoutSeconds),
          { env, path, mode },
        ),
    })),
    { method: 'GET', path: '/healthz', auth: false, handler: (c) => sendJson(c.res, 200, { status: 'ok' }) },
  ];
}

const noTokens = { verify: async (): Promise<undefined> => undefined };

export function createWebhookHandler(
  deps: WebhookDeps,
  opts: { ids: IdGenerator; logger: Logger },
): ReturnType<typeof createRouter> {
  return createRouter(webhookRoutes(deps), {
    verifier: noTokens,
    ids: opts.ids,
    logger: opts.logger,
    tls: true,
  });
}
