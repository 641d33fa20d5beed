// A table of decisions (overview and audit log): time, scenario, subject,
// decision, first reason, link to the full report.
import type { DecisionReport } from '../../../core/contracts/report.js';
import { html, type SafeHtml } from './html.js';
import { badge } from './layout.js';
import { describeSubject } from './report-view.js';

export function decisionRows(records: readonly DecisionReport[]): SafeHtml {
  return html`<table class="decisions"><thead><tr><th>time</th><th>scenario</th><th>subject</th><th>decision</th><th>first reason</th><th></th></tr></thead><tbody>
${records.map((r) => html`<tr data-decision="${r.decision}"><td class="mono">${r.timestamp}</td><td>${r.scenario}</td><td>${describeSubject(r.subject)}</td><td>${badge(r.decision)}</td><td class="reason">${r.reasons[0] ?? ''}</td><td><a href="/ui/decisions/${encodeURIComponent(r.request_id)}">report</a></td></tr>`)}
</tbody></table>`;
}
