// GET /ui/audit: the audit log with the REST API's filters and paging, and
// the chain check. A plain GET form: bookmarkable, no JavaScript. The
// records are a live query per view; the chain line is the last walk of the
// log (services/audit/audit-snapshot.ts) with its time, not a walk per view.
import { AuditQuerySchema, type AuditPage } from '../../../core/audit-query.js';
import { queryAudit } from '../../../services/audit/read-audit.js';
import type { RequestContext } from '../router.js';
import { chainLine } from './audit-status.js';
import { decisionRows } from './decision-rows.js';
import { errorBox } from './guard.js';
import { html, query, type SafeHtml } from './html.js';
import { page, sendHtml } from './layout.js';
import type { Session } from './session.js';
import type { UiDeps } from './ui-deps.js';
import { describeZodIssue } from '../../../core/zod-findings.js';
import { isEchoable } from '../../../core/safe-text.js';

const FIELDS = [
  'scenario',
  'decision',
  'app_id',
  'rule',
  'request_id',
  'since',
  'limit',
  'continue',
] as const;

export async function auditPage(ctx: RequestContext, session: Session, deps: UiDeps): Promise<void> {
  const given: Record<string, string> = {};
  let withheld: string | undefined;
  for (const f of FIELDS) {
    const v = ctx.url.searchParams.get(f)?.trim();
    // A value that could be a credential is neither applied nor shown back in the form.
    if (v && !isEchoable(v)) withheld = f;
    else if (v) given[f] = v;
  }
  // A datetime-local style value without seconds or zone is read as UTC.
  if (given.since && /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(given.since)) given.since += ':00Z';
  const parsed = AuditQuerySchema.safeParse({ limit: '25', ...given });
  const audit = await deps.api.auditSnapshots.current();
  let results: SafeHtml;
  if (withheld) {
    results = errorBox(
      `invalid filter "${withheld}": its value is not shown (control characters or something that looks like a credential)`,
    );
  } else if (parsed.success) {
    results = pageResults(await queryAudit(deps.api.gate.audit, parsed.data), given);
  } else {
    results = errorBox(`invalid filter: ${describeZodIssue(parsed.error?.issues[0], 'filter')}`);
  }
  const { limit: _l, continue: _c, ...filters } = given;
  const body = html`${chainLine(audit, deps.api.gate.clock.now(), { label: 'Chain', writers: true })}
${filterForm(given)}
<p><a href="/ui/audit/export${query(filters)}" download>Export these filters as JSON lines</a> <span class="muted">(every matching record, not only this page)</span></p>
${results}`;
  sendHtml(
    ctx.res,
    parsed.success && !withheld ? 200 : 400,
    page({ title: 'Audit log', current: '/ui/audit', session, body }),
  );
}

function pageResults(pageOf: AuditPage, given: Record<string, string>): SafeHtml {
  const next = pageOf.continue ? query({ ...given, continue: pageOf.continue }) : undefined;
  return html`${pageOf.items.length ? decisionRows(pageOf.items) : html`<p class="muted">No records match.</p>`}
${next ? html`<p><a href="/ui/audit${next}" rel="next">Older records →</a></p>` : ''}`;
}

function filterForm(given: Record<string, string>): SafeHtml {
  const opt = (name: string, value: string, label: string): SafeHtml =>
    html`<option value="${value}"${given[name] === value ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="/ui/audit">
<label>scenario<select name="scenario">${opt('scenario', '', 'any')}${opt('scenario', 'T1', 'T1')}${opt('scenario', 'T2', 'T2')}</select></label>
<label>decision<select name="decision">${opt('decision', '', 'any')}${opt('decision', 'ALLOW', 'ALLOW')}${opt('decision', 'BLOCK', 'BLOCK')}</select></label>
<label>app_id<input type="text" name="app_id" value="${given.app_id ?? ''}"></label>
<label>rule id<input type="text" name="rule" value="${given.rule ?? ''}" placeholder="prod-requires-tls"></label>
<label>request id<input type="text" name="request_id" value="${given.request_id ?? ''}"></label>
<label>since (UTC)<input type="text" name="since" value="${given.since ?? ''}" placeholder="2026-01-31T12:00:00Z"></label>
<button type="submit">Filter</button>
</form>`;
}
