// GET /ui/decisions/<request_id>: the full report of one audited decision.
import { findAuditRecords } from '../../../services/audit/read-audit.js';
import type { RequestContext } from '../router.js';
import { html } from './html.js';
import { page, sendHtml } from './layout.js';
import { reportView } from './report-view.js';
import type { Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

export const DECISION_PREFIX = '/ui/decisions/';

// A caller may reuse a request id (X-Request-Id), so one id can name several
// decisions; the page shows them all up to this bound, which keeps the read
// bounded in memory however often an id was reused.
const MAX_SHOWN = 20;

export async function decisionPage(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  const id = ctx.url.searchParams.get('id') ?? '';
  const { records: found, total } = await findAuditRecords(deps.api.gate.audit, id, MAX_SHOWN);
  const body = found.length
    ? html`${found.map((r) => html`${reportView(r)}<p class="muted">audit record: writer <code>${r.writer}</code>, seq ${r.seq}, hash <code>${r.hash}</code></p>`)}
${total > found.length ? html`<p class="muted">${total - found.length} more audit records carry this request id; the first ${found.length} are shown.</p>` : ''}`
    : html`<p class="error">No audit record with request id <code>${id}</code>.</p>`;
  sendHtml(ctx.res, found.length ? 200 : 404, page({ title: `Decision ${id}`, session, body }));
}
