// The overview's pictures: decisions over time, the rules that block most,
// the busiest namespaces and apps (all from the last walk of the audit log),
// and the background snapshot verifications. Kept apart from overview-page.ts
// so other panels can be added there without touching these.
import type { AuditSnapshotView } from '../../../services/audit/audit-snapshot.js';
import { decisionsChart, rankedChart } from './activity-svg.js';
import { asOf, withSnapshot } from './audit-status.js';
import { html, type SafeHtml } from './html.js';
import type { UiDeps } from './ui-deps.js';
import { verificationsPanel } from './verifications-panel.js';

export function activitySection(audit: AuditSnapshotView, now: Date, deps: UiDeps): SafeHtml {
  return html`<h2>Decisions over time</h2>
${withSnapshot(
  audit,
  (s) => html`${decisionsChart(s.activity)}<p>${asOf(s.at, now, audit.refreshing)}</p>
<div class="cards">
<section class="card" id="top-rules"><h2>Rules that block most (24 h)</h2>${rankedChart('top-rules-chart', 'BLOCK decisions per rule id, last 24 hours', s.activity.topRules)}</section>
<section class="card" id="top-namespaces"><h2>Busiest namespaces (24 h)</h2>${rankedChart('top-namespaces-chart', 'Decisions per namespace, last 24 hours', s.activity.topNamespaces, '#0969da')}</section>
<section class="card" id="top-apps"><h2>Busiest apps (24 h)</h2>${rankedChart('top-apps-chart', 'Decisions per app_id, last 24 hours', s.activity.topApps, '#0969da')}</section>
</div>`,
)}
<h2>Background snapshot verifications</h2>
<section id="verifications">${verificationsPanel(deps.api.verifications?.list() ?? [])}</section>`;
}
