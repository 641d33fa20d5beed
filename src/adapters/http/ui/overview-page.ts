// GET / : the operator's glance. Ready or not and why, webhook certificate,
// audit sink and chain, ALLOW/BLOCK counts, open alerts, recent decisions,
// the policy set in force. Behind the login (recent decisions name apps and
// users); /healthz, /readyz and /metrics stay open for probes and scrapers.
// The chain status, counts and recent decisions come from the last walk of
// the audit log (services/audit/audit-snapshot.ts), shown with its time: a view
// does not walk the log itself.
import type { DecisionCounts } from '../../../services/audit/audit-snapshot.js';
import type { RequestContext } from '../router.js';
import { alertRows } from './alerts-page.js';
import { backgroundAuditSection } from './background-audit-section.js';
import { activitySection } from './overview-activity.js';
import { asOf, chainLine, withSnapshot } from './audit-status.js';
import { checkpointCard } from './checkpoint-status.js';
import { decisionRows } from './decision-rows.js';
import { html, type SafeHtml } from './html.js';
import { page, sendHtml } from './layout.js';
import type { Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

const HOUR = 3600_000;

export async function overviewPage(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  const { gate } = deps.api;
  const audit = await deps.api.auditSnapshots.current();
  const now = gate.clock.now();
  const ready = deps.api.readiness();
  const sink = gate.audit.health();
  const set = gate.policies.current();
  const status = gate.policies.status();
  const alerts = gate.alerts.list(10);
  const body = html`<div class="cards">
<section class="card" id="readiness"><h2>Readiness</h2>
<p class="${ready.ok ? 'status-ok' : 'status-bad'}">${ready.ok ? 'Ready' : 'Not ready'}</p>
<ul>${Object.entries(ready.checks).map(([name, c]) => html`<li><strong>${name}</strong>: <span class="${c.ok ? 'status-ok' : 'status-bad'}">${c.ok ? 'ok' : 'failing'}</span> — ${c.detail}</li>`)}</ul>
${alerts.length ? html`<p class="status-bad" id="alerts-firing">${alerts.length} alert${alerts.length === 1 ? '' : 's'} firing: ${alerts.map((a) => a.key).join(', ')} — <a href="/ui/alerts">see alerts</a></p>` : html`<p class="status-ok" id="alerts-firing">no alerts firing</p>`}</section>
<section class="card" id="certificate"><h2>Webhook certificate</h2>${certificate(deps.webhookCertNotAfter(), now)}</section>
<section class="card" id="audit"><h2>Audit</h2>
<p>sink <strong>${gate.audit.kind}</strong>: <span class="${sink.ok ? 'status-ok' : 'status-bad'}">${sink.ok ? 'healthy' : 'failing'}</span> — ${sink.detail}</p>
${chainLine(audit, now, { label: 'chain' })}</section>
${checkpointCard(await deps.api.auditTrees?.statusAll())}
<section class="card" id="counts"><h2>Decisions</h2>${withSnapshot(audit, (s) => html`${counts(s.lastHour, s.lastDay)}<p>${asOf(s.at, now, audit.refreshing)}<span class="muted"> — the hour and 24 h end then</span></p>`)}</section>
<section class="card" id="policies"><h2>Policy set</h2>
${set ? html`<p><code>${set.digest}</code></p><p>${set.names.join(', ')} · ${set.rules.length} rules${status.loadedAt ? ` · loaded ${status.loadedAt}` : ''}</p>` : html`<p class="status-bad">no policy set loaded</p>`}
${status.errors.length ? html`<p class="status-bad">reload errors: ${status.errors.join('; ')}</p>` : ''}</section>
${backgroundAuditSection(deps.backgroundAudit?.(), deps.backgroundAudit !== undefined)}
</div>
<h2>Alerts firing</h2>${alerts.length ? alertRows(alerts) : html`<p class="muted">No alerts firing. Ordinary BLOCKs are decisions, listed below.</p>`}
${activitySection(audit, now, deps)}
<h2>Recent decisions</h2>${withSnapshot(audit, (s) => html`<p>${asOf(s.at, now, audit.refreshing)}</p>${s.recent.length ? decisionRows(s.recent) : html`<p class="muted">No decisions yet.</p>`}`)}
<p><a href="/ui/audit">Full audit log →</a></p>`;
  sendHtml(ctx.res, 200, page({ title: 'Overview', current: '/', session, refresh: 15, body }));
}

function certificate(notAfter: Date | undefined, now: Date): SafeHtml {
  if (!notAfter) return html`<p class="muted">webhook TLS not configured</p>`;
  const days = Math.floor((notAfter.getTime() - now.getTime()) / (24 * HOUR));
  const cls = days < 0 ? 'status-bad' : days < 14 ? 'status-bad' : 'status-ok';
  return html`<p>expires <strong>${notAfter.toISOString()}</strong></p><p class="${cls}">${days < 0 ? 'EXPIRED' : `${days} days left`}</p>`;
}

/** Relative to the walk's time (`since` is an hour and a day before it), not to this view's. */
function counts(h: DecisionCounts, d: DecisionCounts): SafeHtml {
  return html`<table><thead><tr><th></th><th>ALLOW</th><th>BLOCK</th></tr></thead><tbody>
<tr><th>last hour</th><td data-count="allow-1h">${h.allow}</td><td data-count="block-1h">${h.block}</td></tr>
<tr><th>last 24 h</th><td data-count="allow-24h">${d.allow}</td><td data-count="block-24h">${d.block}</td></tr></tbody></table>`;
}
