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
  // Run errors (a namespace not readable, a report not written) are not the
  // OpenReports "error" results: they say the run is incomplete, so they get
  // their own line and list, apart from the result counts.
  const errors = last.errors.slice(0, SHOWN_ERRORS);
  const failing = last.failing.slice(0, SHOWN_FAILING);
  return html`<section class="card${last.failing.length || last.errors.length ? ' wide' : ''}" id="background-audit"><h2>Background audit</h2>
<p>${last.objects} objects in ${last.namespaces} namespaces · results <span class="${r.fail > 0 ? 'status-bad' : 'status-ok'}" data-count="bg-fail">${r.fail} fail</span> · ${r.warn} warn · ${r.error} error · ${r.pass} pass</p>
<p class="muted">${last.reason} run finished ${last.finishedAt}${last.policyDigest ? html` · policy <code>${last.policyDigest.slice(0, 19)}…</code>` : ''}</p>
${errors.length ? html`<p class="status-bad" id="background-audit-errors">run incomplete: ${last.errors.length} error(s)</p><ul class="run-errors">${errors.map((e) => html`<li>${e}</li>`)}${more(last.errors.length, errors.length)}</ul>` : ''}
${failing.length ? html`<p>would be blocked today:</p><ul id="background-audit-failing">${failing.map((f) => html`<li><code>${f.namespace}/${f.name}</code> [${f.rules.join(', ')}]</li>`)}${more(last.failing.length, failing.length)}</ul>` : ''}</section>`;
}

const SHOWN_ERRORS = 3;
const SHOWN_FAILING = 10;

function more(total: number, shown: number): SafeHtml | string {
  return total > shown
    ? html`<li class="muted">and ${total - shown} more (see the OpenReports Reports and the gate's log)</li>`
    : '';
}
