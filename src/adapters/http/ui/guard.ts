// Wraps a UI handler: no session, no page (a redirect to the login form), so
// no page can leak a decision, a subject or an alert without the API token.
import type { Handler, RequestContext } from '../router.js';
import { redirect } from './layout.js';
import { html } from './html.js';
import { checkOrigin, sessionOf, type Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

export type SessionHandler = (ctx: RequestContext, session: Session) => Promise<void> | void;

/**
 * `csrf: true` marks a state-changing form: the Origin header is checked
 * here, before any body byte is read; the token itself is in the body, so the
 * handler reads it first with readCsrfForm or checkCsrfFirstPart (csrf-body.ts)
 * before it acts. test/integration/status-ui.test.ts posts to every such
 * route without a token and expects 403.
 */
export function withSession(deps: UiDeps, fn: SessionHandler, opts: { csrf?: boolean } = {}): Handler {
  return async (ctx) => {
    const session = await sessionOf(ctx.req, deps.verifier);
    if (!session) {
      ctx.req.resume();
      const next = ctx.req.method === 'GET' ? `${ctx.url.pathname}${ctx.url.search}` : ctx.url.pathname;
      return redirect(ctx.res, `/ui/login?next=${encodeURIComponent(next)}`);
    }
    if (opts.csrf) checkOrigin(ctx.req);
    ctx.principal = session.principal;
    ctx.envs = session.envs;
    await fn(ctx, session);
  };
}

/** A little error box for a form page. */
export function errorBox(message: string): ReturnType<typeof html> {
  return html`<p class="error" role="alert">${message}</p>`;
}
