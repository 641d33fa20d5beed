// Shared by the two validation forms: a request the gate could not read is a
// decision too (services/decision/malformed.ts, as at every front door), shown
// with its report.
import type { Scenario } from '../../../core/contracts/report.js';
import { isGateError } from '../../../core/errors.js';
import { drainBriefly } from '../drain.js';
import { requestRuleOf } from '../../../core/request-rules.js';
import { recordMalformed } from '../../../services/decision/malformed.js';
import type { DecisionReport } from '../../../core/contracts/report.js';
import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../router.js';
import { errorBox } from './guard.js';
import { html, type SafeHtml } from './html.js';
import { page, sendHtml } from './layout.js';
import { reportView } from './report-view.js';
import type { Session } from './session.js';
import type { UiDeps } from './ui-deps.js';

export interface FormOutcome {
  report: DecisionReport;
  /** Set when the form itself was malformed. */
  error?: string;
}

export async function decideForm(
  ctx: RequestContext,
  deps: UiDeps,
  scenario: Scenario,
  run: () => Promise<DecisionReport>,
): Promise<FormOutcome> {
  try {
    return { report: await run() };
  } catch (e) {
    if (!isGateError(e)) throw e;
    // Read the rest first: a browser still uploading would show a reset, not the result.
    await drainBriefly(ctx.req);
    const report = await recordMalformed(deps.api.gate, {
      scenario,
      message: e.message,
      rule: requestRuleOf(e.code),
      source: 'ui',
      requestId: ctx.requestId,
    });
    return { report, error: e.message };
  }
}

export function statusOf(o: FormOutcome): number {
  if (o.error) return 400;
  return o.report.decision === 'ALLOW' ? 200 : 422;
}

/** The report (and what was wrong with the form, if anything), then the form again. */
export function sendFormResult(
  res: ServerResponse,
  outcome: FormOutcome,
  view: { title: string; current: string; session: Session; form: SafeHtml },
): void {
  const body = html`${outcome.error ? errorBox(outcome.error) : ''}${reportView(outcome.report)}<h2>Validate another</h2>${view.form}`;
  sendHtml(
    res,
    statusOf(outcome),
    page({ title: view.title, current: view.current, session: view.session, body }),
  );
}
