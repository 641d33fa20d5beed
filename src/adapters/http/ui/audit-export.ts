// GET /ui/audit/export?<the audit page's filters>: every matching decision
// as JSON lines (the stored records, chain fields included, so an export can
// be checked against the log), in the log's stored order. Streamed one
// record at a time: the export of a long history holds one record in
// memory. A read that fails half-way ends the download with an error rather
// than a short file that looks complete.
import { auditRecordMatcher, AuditQuerySchema } from '../../../core/audit-query.js';
import { GateError } from '../../../core/errors.js';
import { isEchoable } from '../../../core/safe-text.js';
import { describeZodIssue } from '../../../core/zod-findings.js';
import { auditRecords } from '../../../services/audit/read-audit.js';
import type { RequestContext } from '../router.js';
import type { UiDeps } from './ui-deps.js';

export const EXPORT_FIELDS = ['scenario', 'decision', 'app_id', 'rule', 'request_id', 'since'] as const;

export async function auditExport(ctx: RequestContext, deps: UiDeps): Promise<void> {
  const given: Record<string, string> = {};
  for (const f of EXPORT_FIELDS) {
    const v = ctx.url.searchParams.get(f)?.trim();
    if (v && !isEchoable(v))
      throw new GateError('bad-request', `invalid filter "${f}": its value is not shown`);
    if (v) given[f] = v;
  }
  if (given.since && /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(given.since)) given.since += ':00Z';
  const parsed = AuditQuerySchema.safeParse(given);
  if (!parsed.success)
    throw new GateError(
      'bad-request',
      `invalid filter: ${describeZodIssue(parsed.error.issues[0], 'filter')}`,
    );
  const match = auditRecordMatcher(parsed.data);
  const { res } = ctx;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
  res.setHeader('Content-Disposition', 'attachment; filename="migration-gate-audit.jsonl"');
  res.setHeader('Cache-Control', 'no-store');
  try {
    for await (const record of auditRecords(deps.api.gate.audit)) {
      if (!match(record)) continue;
      if (!res.write(`${JSON.stringify(record)}\n`)) await new Promise((r) => res.once('drain', r));
    }
  } catch (e) {
    deps.api.gate.logger.error('audit export failed', {
      request_id: ctx.requestId,
      error: e instanceof Error ? e.message : String(e),
    });
    res.destroy();
    return;
  }
  res.end();
}
