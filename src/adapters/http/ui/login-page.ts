// GET/POST /ui/login and POST /ui/logout.
import { GateError } from '../../../core/errors.js';
import { mediaType, readBody } from '../body.js';
import type { RequestContext } from '../router.js';
import { errorBox } from './guard.js';
import { html } from './html.js';
import { page, redirect, sendHtml } from './layout.js';
import { checkOrigin, clearSessionCookie, safeNext, sessionOf, setSessionCookie } from './session.js';
import type { UiDeps } from './ui-deps.js';
import type { Session } from './session.js';
import { readCsrfForm } from './csrf-body.js';

/** Where the operator finds the token: the generated file when this gate made one, else where tokens are configured. */
function whereTheTokenIs(tokenFile: string | undefined): ReturnType<typeof html> {
  if (tokenFile)
    return html`<p id="token-location">This gate generated its token at start: <code>${tokenFile}</code> on the gate's host (mode 0600; <code>cat</code> it there, or <code>docker compose exec gate cat /data/api-token</code>).</p>`;
  return html`<p id="token-location">This gate's tokens are configured by its operator: <code>GATE_API_TOKEN</code>, or the digests in <code>GATE_API_TOKENS_FILE</code> (in Kubernetes the chart's Secret, e.g. <code>kubectl -n migration-gate get secret migration-gate-api-token -o jsonpath='{.data.token}' | base64 -d</code>).</p>`;
}

function loginForm(next: string, error?: string, tokenFile?: string): string {
  return page({
    title: 'Log in',
    body: html`${error ? errorBox(error) : ''}
<p>The status page and forms need the gate's API token (the one sent as <code>Authorization: Bearer …</code> to <code>/api/v1</code>).
It is kept in an HttpOnly, SameSite=Strict cookie for 8 hours.</p>
${whereTheTokenIs(tokenFile)}
<form class="stack" method="post" action="/ui/login">
<input type="hidden" name="next" value="${next}">
<label for="token">API token</label>
<input type="password" id="token" name="token" autocomplete="current-password" size="50" required>
<p><button type="submit">Log in</button></p>
</form>
<p class="muted">Health without a token: <a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>, <a href="/metrics">/metrics</a>.</p>`,
  });
}

export async function loginGet(ctx: RequestContext, deps: UiDeps): Promise<void> {
  const next = safeNext(ctx.url.searchParams.get('next'));
  if (await sessionOf(ctx.req, deps.verifier)) return redirect(ctx.res, next);
  sendHtml(ctx.res, 200, loginForm(next, undefined, deps.api.tokenFile));
}

export async function loginPost(ctx: RequestContext, deps: UiDeps): Promise<void> {
  checkOrigin(ctx.req);
  if (mediaType(ctx.req) !== 'application/x-www-form-urlencoded') {
    ctx.req.resume();
    throw new GateError('unsupported-media-type', 'the login form posts application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams((await readBody(ctx.req, 16 * 1024)).toString('utf8'));
  const token = form.get('token') ?? '';
  const next = safeNext(form.get('next'));
  const valid = /^[\x21-\x7e]{1,4096}$/.test(token) && (await deps.verifier.verify(token)) !== undefined;
  if (!valid) return sendHtml(ctx.res, 401, loginForm(next, 'That token is not valid.', deps.api.tokenFile));
  setSessionCookie(ctx.res, token, deps.tls);
  redirect(ctx.res, next);
}

export async function logoutPost(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  await readCsrfForm(ctx, session, 1024);
  clearSessionCookie(ctx.res, deps.tls);
  redirect(ctx.res, '/ui/login');
}
