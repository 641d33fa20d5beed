// GET / : the operator's glance. Ready or not and why, webhook certificate,
// audit sink and chain, ALLOW/BLOCK counts, open alerts, recent decisions,
// the policy set in force. Behind the login (recent decisions name apps and
// users); /healthz, /readyz and /metrics stay open for probes and scrapers.
import { AuditPageSelector } from '../../../core/audit-query.js';
import type { AuditRecord } from '../../../core/contracts/audit.js';
import { verifyAudit } from '../../../services/audit-service.js';
import type { RequestContext } from '../router.js';
import { alertRows } from './alerts-page.js';
import { decisionRows } from './decision-rows.js';
import { html, type SafeHtml } from './html.js';
import { page, sendHtml } from './layout.js';
import type { Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

const HOUR = 3600_000;
const RECENT = 15;

export async function overviewPage(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  const { gate } = deps.api;
  const now = gate.clock.now();
  const ready = deps.api.readiness();
  // One streaming walk of the log: the chain check, the newest RECENT
  // records (in the audit log's order) and the counts. Memory stays bounded
  // by RECENT and the number of writers, not by the history.
  const recentSelector = new AuditPageSelector({ limit: RECENT });
  const hour = tally(now, HOUR);
  const day = tally(now, 24 * HOUR);
  const chain = await verifyAudit(gate.audit, (r) => {
    recentSelector.offer(r);
    count(hour, r);
    count(day, r);
  });
  const recent = recentSelector.page().items;
  const sink = gate.audit.health();
  const set = gate.policies.current();
  const status = gate.policies.status();
  const alerts = gate.alerts.list(10);
  const body = html`<div class="cards">
<section class="card" id="readiness"><h2>Readiness</h2>
<p class="${ready.ok ? 'status-ok' : 'status-bad'}">${ready.ok ? 'Ready' : 'Not ready'}</p>
<ul>${Object.entries(ready.checks).map(([name, c]) => html`<li><strong>${name}</strong>: <span class="${c.ok ? 'status-ok' : 'status-bad'}">${c.ok ? 'ok' : 'failing'}</span> — ${c.detail}</li>`)}</ul></section>
<section class="card" id="certificate"><h2>Webhook certificate</h2>${certificate(deps.webhookCertNotAfter(), now)}</section>
<section class="card" id="audit"><h2>Audit</h2>
<p>sink <strong>${gate.audit.kind}</strong>: <span class="${sink.ok ? 'status-ok' : 'status-bad'}">${sink.ok ? 'healthy' : 'failing'}</span> — ${sink.detail}</p>
<p>chain: <span class="${chain.ok ? 'status-ok' : 'status-bad'}">${chain.ok ? 'intact' : 'BROKEN'}</span>, ${chain.records} records${chain.first_bad ? html` — first bad at <code>${chain.first_bad.location}</code>: ${chain.first_bad.problem}` : ''}${chain.note ? html` <span class="muted">(${chain.note})</span>` : ''}</p></section>
<section class="card" id="counts"><h2>Decisions</h2>${counts(hour, day)}</section>
<section class="card" id="policies"><h2>Policy set</h2>
${set ? html`<p><code>${set.digest}</code></p><p>${set.names.join(', ')} · ${set.rules.length} rules${status.loadedAt ? ` · loaded ${status.loadedAt}` : ''}</p>` : html`<p class="status-bad">no policy set loaded</p>`}
${status.errors.length ? html`<p class="status-bad">reload errors: ${status.errors.join('; ')}</p>` : ''}</section>
</div>
<h2>Open alerts</h2>${alerts.length ? alertRows(alerts) : html`<p class="muted">No open alerts.</p>`}
<h2>Recent decisions</h2>${recent.length ? decisionRows(recent) : html`<p class="muted">No decisions yet.</p>`}
<p><a href="/ui/audit">Full audit log →</a></p>`;
  sendHtml(ctx.res, 200, page({ title: 'Overview', current: '/', session, refresh: 15, body }));
}

function certificate(notAfter: Date | undefined, now: Date): SafeHtml {
  if (!notAfter) return html`<p class="muted">webhook TLS not configured</p>`;
  const days = Math.floor((notAfter.getTime() - now.getTime()) / (24 * HOUR));
  const cls = days < 0 ? 'status-bad' : days < 14 ? 'status-bad' : 'status-ok';
  return html`<p>expires <strong>${notAfter.toISOString()}</strong></p><p class="${cls}">${days < 0 ? 'EXPIRED' : `${days} days left`}</p>`;
}

/** ALLOW and BLOCK decisions since a moment, counted as records stream past. */
interface Tally {
  since: string;
  allow: number;
  block: number;
}

function tally(now: Date, ms: number): Tally {
  return { since: new Date(now.getTime() - ms).toISOString(), allow: 0, block: 0 };
}

function count(t: Tally, r: AuditRecord): void {
  if (!(r.timestamp >= t.since)) return;
  if (r.decision === 'ALLOW') t.allow += 1;
  else if (r.decision === 'BLOCK') t.block += 1;
}

function counts(h: Tally, d: Tally): SafeHtml {
  return html`<table><thead><tr><th></th><th>ALLOW</th><th>BLOCK</th></tr></thead><tbody>
<tr><th>last hour</th><td data-count="allow-1h">${h.allow}</td><td data-count="block-1h">${h.block}</td></tr>
<tr><th>last 24 h</th><td data-count="allow-24h">${d.allow}</td><td data-count="block-24h">${d.block}</td></tr></tbody></table>`;
}
