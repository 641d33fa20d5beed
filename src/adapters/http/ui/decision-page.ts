// GET /ui/decisions/<request_id>: the full report of one audited decision.
import { readRecords } from '../../../services/audit-service.js';
import type { RequestContext } from '../router.js';
import { html } from './html.js';
import { page, sendHtml } from './layout.js';
import { reportView } from './report-view.js';
import type { Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

export const DECISION_PREFIX = '/ui/decisions/';

export async function decisionPage(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  const id = ctx.url.searchParams.get('id') ?? '';
  const records = await readRecords(deps.api.gate.audit);
  const found = records.filter((r) => r.request_id === id);
  const body = found.length
    ? html`${found.map((r) => html`${reportView(r)}<p class="muted">audit record: writer <code>${r.writer}</code>, seq ${r.seq}, hash <code>${r.hash}</code></p>`)}`
    : html`<p class="error">No audit record with request id <code>${id}</code>.</p>`;
  sendHtml(ctx.res, found.length ? 200 : 404, page({ title: `Decision ${id}`, session, body }));
}
