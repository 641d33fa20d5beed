// The overview's checkpoint card: the latest signed checkpoint per writer
// and whether each destination outside the store (log shipping, a witness)
// took it. A witness that refused means it saw another history of this log.
import type { AuditTreesStatus } from '../../../services/audit/audit-trees.js';
import { html, type SafeHtml } from './html.js';

type Peer = AuditTreesStatus['checkpoints'][number] & { witness?: { ok: boolean; detail: string } };

export function checkpointCard(status: (AuditTreesStatus & { peers?: Peer[] }) | undefined): SafeHtml {
  if (!status)
    return html`<section class="card" id="checkpoints"><h2>Checkpoints</h2><p class="muted">not configured</p></section>`;
  const row = (c: Peer) =>
    html`<li data-writer="${c.writer}"><strong>${c.writer}</strong>: size <span data-size="${String(c.size)}">${String(c.size)}</span>, root <code>${c.root.slice(0, 16)}…</code>, signed <time datetime="${c.signed_at}">${c.signed_at}</time>${c.witness ? html` · witness <span class="${c.witness.ok ? 'status-ok' : 'status-bad'}" data-peer-witness="${c.witness.ok ? 'agrees' : 'disagrees'}">${c.witness.ok ? 'agrees' : 'DISAGREES'}</span>` : ''}</li>`;
  const rows = [...status.checkpoints.map(row), ...(status.peers ?? []).map(row)];
  const witnesses = status.destinations.filter((d) => d.name.startsWith('witness'));
  const agree =
    witnesses.length === 0
      ? html`<p class="muted" data-witness="none">no witness configured (GATE_AUDIT_WITNESS_URL): checkpoints leave the store through the log only</p>`
      : html`<ul>${witnesses.map((d) => html`<li><strong>${d.name}</strong>: <span class="${d.ok ? 'status-ok' : 'status-bad'}" data-witness="${d.ok ? 'agrees' : 'disagrees'}">${d.ok ? 'agrees' : 'DISAGREES'}</span> — ${d.detail}</li>`)}</ul>`;
  return html`<section class="card" id="checkpoints"><h2>Checkpoints</h2>
${rows.length ? html`<ul>${rows}</ul>` : html`<p class="muted">none signed yet</p>`}
${agree}
<p class="muted">verifier key <code>${status.key}</code></p></section>`;
}
