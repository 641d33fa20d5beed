// How the pages show the last walk of the audit log (services/audit/audit-snapshot.ts):
// the chain status with how old it is, and nothing about the chain when the
// newest walk failed. A page never says "intact" for a walk that did not
// complete.
import type { AuditSnapshot, AuditSnapshotView } from '../../../services/audit/audit-snapshot.js';
import { html, type SafeHtml } from './html.js';

/** "42 s", "3 min", "5 h", "2 d": how long ago `at` was. */
export function ago(at: Date, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - at.getTime()) / 1000));
  if (s < 90) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 90) return `${min} min`;
  const h = Math.floor(min / 60);
  return h < 48 ? `${h} h` : `${Math.floor(h / 24)} d`;
}

/** "checked 12 s ago, as of <time>": the walk's age and the moment its numbers refer to. */
export function asOf(at: Date, now: Date, refreshing: boolean): SafeHtml {
  const iso = at.toISOString();
  return html`<span class="muted as-of" data-as-of="${iso}">checked ${ago(at, now)} ago, as of <time datetime="${iso}">${iso}</time>${refreshing ? ' · rechecking' : ''}</span>`;
}

export interface ChainLineOptions {
  /** "chain" on the overview, "Chain" on the audit page. */
  label: string;
  /** Name the number of writers (the audit page). */
  writers?: boolean;
}

/** One paragraph: the chain status of the newest completed walk, or why there is none. */
export function chainLine(view: AuditSnapshotView, now: Date, o: ChainLineOptions): SafeHtml {
  if (view.failure) {
    const f = view.failure;
    return html`<p class="chain">${o.label}: <span class="status-bad" data-chain="unverified">not verified</span> — the check ${ago(f.at, now)} ago (<time datetime="${f.at.toISOString()}">${f.at.toISOString()}</time>) could not read the log: ${f.detail}${view.refreshing ? ' · rechecking' : ''}</p>`;
  }
  const s = view.snapshot;
  if (!s)
    return html`<p class="chain">${o.label}: <span class="status-bad" data-chain="unverified">not verified</span> — no check has finished yet</p>`;
  const c = s.chain;
  return html`<p class="chain">${o.label}: <span class="${c.ok ? 'status-ok' : 'status-bad'}" data-chain="${c.ok ? 'intact' : 'broken'}">${c.ok ? 'intact' : 'BROKEN'}</span>, ${c.records} records${o.writers ? ` across ${c.writers.length} writer(s)` : ''}${c.first_bad ? html` — first bad at <code>${c.first_bad.location}</code>: ${c.first_bad.problem}` : ''}${c.note ? html` <span class="muted">(${c.note})</span>` : ''} · ${asOf(s.at, now, view.refreshing)}</p>`;
}

/** The snapshot's numbers, or a plain statement that there are none. */
export function withSnapshot(view: AuditSnapshotView, show: (s: AuditSnapshot) => SafeHtml): SafeHtml {
  if (view.snapshot) return show(view.snapshot);
  return html`<p class="status-bad">unavailable: no walk of the audit log has completed${view.failure ? ` (${view.failure.detail})` : ''}</p>`;
}
