// The status page's background snapshot verifications: bytes done of the
// total, rate and ETA, as a server-drawn bar (no script). Same data as
// GET /api/v1/verifications.
import type { VerificationView } from '../../../services/admission/verifications.js';
import { html, type SafeHtml } from './html.js';
import { badge } from './layout.js';

export function verificationsPanel(items: readonly VerificationView[]): SafeHtml {
  if (items.length === 0)
    return html`<p class="muted">No snapshot is being verified in the background on this replica.</p>`;
  return html`<div class="table-wrap"><table class="verifications"><thead><tr><th>migration</th><th>progress</th><th>rate</th><th>ETA</th><th>state</th><th></th></tr></thead><tbody>
${items.map((v) => html`<tr data-verification="${v.id}"><td>${v.label || v.id.slice(0, 12)}</td><td>${progressBar(v)}</td><td class="mono">${v.rate !== undefined ? `${bytes(v.rate)}/s` : '—'}</td><td class="mono">${v.eta_seconds !== undefined ? duration(v.eta_seconds) : v.state === 'done' ? 'done' : '—'}</td><td>${v.decision ? badge(v.decision) : 'running'}</td><td><a href="/api/v1/verifications/${v.id}">JSON</a></td></tr>`)}
</tbody></table></div>`;
}

function progressBar(v: VerificationView): SafeHtml {
  const total = v.bytes_total;
  const frac = total ? Math.min(1, v.bytes_done / total) : undefined;
  const text =
    total !== undefined
      ? `${bytes(v.bytes_done)} of ${bytes(total)} (${Math.floor((frac ?? 0) * 100)}%)`
      : `${bytes(v.bytes_done)} read`;
  const w = 200;
  return html`<svg class="progress" role="img" viewBox="0 0 ${w} 12" width="${w}" height="12" xmlns="http://www.w3.org/2000/svg"><title>${text}</title><rect x="0" y="0" width="${w}" height="12" rx="3" fill="#d0d7de"/><rect x="0" y="0" width="${Math.round((frac ?? 0) * w)}" height="12" rx="3" fill="#0969da"/></svg> <span class="mono">${text}</span>`;
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
