// GET /ui/alerts: firing alerts (unacknowledged first) with a form to
// acknowledge or resolve each, then recently resolved ones. POST
// /ui/alerts/take records who and why in the audit store and sends the
// browser back to the list (303), so a reload does not post again.
import type { AlertState } from '../../../services/alerts.js';
import { checkAlertTake, takeAlert } from '../routes/alert-routes.js';
import type { RequestContext } from '../router.js';
import { html, type SafeHtml } from './html.js';
import { badge, page, redirect, sendHtml } from './layout.js';
import type { Session } from './session.js';
import { csrfField, readCsrfForm } from './csrf-body.js';
import type { UiDeps } from './ui-deps.js';

function ackLine(a: AlertState): SafeHtml {
  if (a.acknowledged)
    return html`<br><span class="muted">acknowledged by ${a.acknowledged.by} at ${a.acknowledged.at}: ${a.acknowledged.why}</span>`;
  return html``;
}

export function alertRows(alerts: readonly AlertState[], session?: Session): SafeHtml {
  return html`<table class="alerts"><thead><tr><th>since</th><th>severity</th><th>alert</th><th>message</th><th></th></tr></thead><tbody>
${alerts.map((a) => html`<tr data-severity="${a.severity}" data-alert="${a.key}" data-status="${a.status}"><td class="mono">${a.since}${a.resolved_at ? html`<br><span class="muted">resolved ${a.resolved_at}</span>` : ''}</td><td>${badge(a.severity)}</td><td class="alert-key"><code>${a.key}</code></td><td class="message">${a.message}${ackLine(a)}</td><td>${a.request_id ? html`<a href="/ui/decisions/${encodeURIComponent(a.request_id)}">report</a>` : ''}${session && a.status === 'firing' ? takeForm(a, session) : ''}</td></tr>`)}
</tbody></table>`;
}

function takeForm(a: AlertState, session: Session): SafeHtml {
  return html`<form class="take" method="post" action="/ui/alerts/take">
${csrfField(session)}
<input type="hidden" name="key" value="${a.key}">
<label>why <input type="text" name="reason" required maxlength="500" placeholder="looking into it"></label>
<button type="submit" name="how" value="acknowledge">Acknowledge</button>${a.kind === 'snapshot-integrity' ? html` <button type="submit" name="how" value="resolve">Resolve</button>` : ''}
</form>`;
}

export function alertsPage(ctx: RequestContext, session: Session, deps: UiDeps): void {
  const all = deps.api.gate.alerts.all(200);
  const firing = all.filter((a) => a.status === 'firing');
  const resolved = all.filter((a) => a.status === 'resolved').slice(0, 50);
  const body = html`<p class="muted">Conditions that need a person: audit chain broken, audit store failing, policy or key set broken (the last good set stays in force), certificate near expiry, checkpoint disagreement, a snapshot whose content was tampered with. Ordinary BLOCKs are decisions: see the <a href="/ui/audit?decision=BLOCK">audit log</a>. Same list as <code>GET /api/v1/alerts</code>.</p>
<h2>Firing</h2>${firing.length ? alertRows(firing, session) : html`<p class="muted">No alerts firing.</p>`}
<h2>Resolved</h2>${resolved.length ? alertRows(resolved) : html`<p class="muted">None.</p>`}`;
  sendHtml(ctx.res, 200, page({ title: 'Alerts', current: '/ui/alerts', session, refresh: 15, body }));
}

export async function alertsTakePost(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  const form = await readCsrfForm(ctx, session, 8 * 1024);
  const how = form.get('how') === 'resolve' ? 'resolve' : 'acknowledge';
  await takeAlert(
    deps.api.gate.alerts,
    how,
    checkAlertTake(form.get('key'), form.get('reason')),
    session.principal,
  );
  redirect(ctx.res, '/ui/alerts');
}
