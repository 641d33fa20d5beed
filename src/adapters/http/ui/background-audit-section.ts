// The status page's background audit card: when the last re-evaluation of
// existing objects ran, under which policy set, what it found, and the
// objects that would be blocked today (namespace/name and rule ids only).
import type { BackgroundAuditSummary } from '../../../services/audit/background-audit.js';
import { html, type SafeHtml } from './html.js';

export function backgroundAuditSection(last: BackgroundAuditSummary | undefined, enabled: boolean): SafeHtml {
  if (!enabled)
    return html`<section class="card" id="background-audit"><h2>Background audit</h2><p class="muted">off (GATE_BACKGROUND_AUDIT_INTERVAL_SECONDS=0)</p></section>`;
  if (!last)
    return html`<section class="card" id="background-audit"><h2>Background audit</h2><p class="muted">first run pending</p></section>`;
  const r = last.results;
  return html`<section class="card" id="background-audit"><h2>Background audit</h2>
<p>${last.objects} objects in ${last.namespaces} namespaces · <span class="${r.fail > 0 ? 'status-bad' : 'status-ok'}" data-count="bg-fail">${r.fail} fail</span> · ${r.warn} warn · ${r.error} error · ${r.pass} pass</p>
<p class="muted">${last.reason} run finished ${last.finishedAt}${last.policyDigest ? html` · policy <code>${last.policyDigest.slice(0, 19)}…</code>` : ''}</p>
${last.errors.length ? html`<p class="status-bad">${last.errors.length} error(s): ${last.errors.slice(0, 3).join('; ')}</p>` : ''}
${last.failing.length ? html`<ul>${last.failing.slice(0, 10).map((f) => html`<li><code>${f.namespace}/${f.name}</code> [${f.rules.join(', ')}]</li>`)}</ul>` : ''}</section>`;
}
