// GET /ui/alerts: standing conditions first, then recent alert events.
import type { Alert } from '../../../services/alerts.js';
import type { RequestContext } from '../router.js';
import { html, type SafeHtml } from './html.js';
import { badge, page, sendHtml } from './layout.js';
import type { Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

export function alertRows(alerts: readonly Alert[]): SafeHtml {
  return html`<table class="alerts"><thead><tr><th>time</th><th>severity</th><th>kind</th><th>message</th><th></th></tr></thead><tbody>
${alerts.map((a) => html`<tr data-severity="${a.severity}"><td class="mono">${a.timestamp}</td><td>${badge(a.severity)}</td><td>${a.kind}</td><td class="message">${a.message}</td><td>${a.request_id ? html`<a href="/ui/decisions/${encodeURIComponent(a.request_id)}">report</a>` : ''}</td></tr>`)}
</tbody></table>`;
}

export function alertsPage(ctx: RequestContext, session: Session, deps: UiDeps): void {
  const alerts = deps.api.gate.alerts.list(200);
  const body = html`<p class="muted">BLOCKs of severity high or critical, integrity failures, audit-chain breaks and sink failures, policy load errors, certificate expiry. Same list as <code>GET /api/v1/alerts</code>.</p>
${alerts.length ? alertRows(alerts) : html`<p class="muted">No alerts.</p>`}`;
  sendHtml(ctx.res, 200, page({ title: 'Alerts', current: '/ui/alerts', session, refresh: 15, body }));
}
