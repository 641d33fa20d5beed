// One decision report as HTML: the same view for a submitted form and for
// /ui/decisions/<request_id>.
import type { DecisionReport, Subject } from '../../../core/contracts/report.js';
import { badge } from './layout.js';
import { html, type SafeHtml } from './html.js';

export function describeSubject(s: Subject): string {
  if (s.kind && s.name) return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
  if (s.app_id) return `${s.app_id}${s.env ? ` (${s.env})` : ''}`;
  if (s.source_db || s.target_db) return `${s.source_db ?? '?'} → ${s.target_db ?? '?'}`;
  return '—';
}

/**
 * The line shown when nothing blocked. "All checks passed" only when that is
 * true: with warnings (a critical one included) it says the decision was
 * ALLOW with N warnings, worst severity first.
 */
export function allowedSummary(r: DecisionReport): string {
  const warn = r.findings.filter((f) => f.action === 'warn');
  const skipped = r.steps.filter((s) => s.status === 'skipped').length;
  if (warn.length === 0 && r.warnings.length === 0)
    return skipped ? `Allowed: no check failed (${skipped} step(s) skipped).` : 'All checks passed.';
  const order = ['critical', 'high', 'medium', 'low'];
  const worst = warn.map((f) => f.severity).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
  const n = Math.max(warn.length, r.warnings.length);
  return `Allowed with ${n} warning${n === 1 ? '' : 's'}${worst ? ` (worst: ${worst})` : ''}: read them below before going on.`;
}

export function reportView(r: DecisionReport): SafeHtml {
  const subject = Object.entries(r.subject).filter(([, v]) => v !== undefined && v !== '');
  return html`<section class="report">
<p>${badge(r.decision)} <strong>${r.scenario}</strong> · ${describeSubject(r.subject)} · <span class="mono">${r.request_id}</span> · ${r.timestamp}</p>
${r.reasons.length ? html`<h2>Why</h2><ul class="reasons">${r.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : html`<p>${allowedSummary(r)}</p>`}
${r.warnings.length ? html`<h2>Warnings</h2><ul class="reasons">${r.warnings.map((x) => html`<li>${x}</li>`)}</ul>` : ''}
${
  r.findings.length
    ? html`<h2>Findings</h2><table><thead><tr><th>rule</th><th>severity</th><th>action</th><th>path</th><th>message</th></tr></thead><tbody>
${r.findings.map((f) => html`<tr><td><code>${f.rule}</code></td><td>${badge(f.severity)}</td><td>${f.action}</td><td><code>${f.path ?? ''}</code></td><td class="message">${f.message}</td></tr>`)}
</tbody></table>`
    : ''
}
<h2>Steps</h2><table><thead><tr><th>step</th><th>status</th><th>detail</th></tr></thead><tbody>
${r.steps.map((s) => html`<tr><td>${s.step}</td><td>${badge(s.status)}</td><td class="message">${s.detail ?? ''}</td></tr>`)}
</tbody></table>
<h2>Subject</h2><table><tbody>${subject.map(([k, v]) => html`<tr><th>${k}</th><td class="mono">${String(v)}</td></tr>`)}</tbody></table>
${r.policy_digest ? html`<p class="muted">policy set <code>${r.policy_digest}</code></p>` : ''}
</section>`;
}
