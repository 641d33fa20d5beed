// Reading a validate answer from the server: a decision report (200 ALLOW,
// 422 BLOCK) or a refusal that must not look like a verdict.
import { DecisionReportSchema, type DecisionReport } from '../core/contracts/report.js';
import { CliError, EXIT } from './exit-codes.js';
import type { RemoteAnswer } from './remote.js';

export function reportFromAnswer(res: RemoteAnswer): DecisionReport {
  const parsed = DecisionReportSchema.safeParse(res.body);
  if (parsed.success && (res.status === 200 || res.status === 422)) return parsed.data;
  const body = res.body as { title?: unknown; detail?: unknown };
  if (res.status === 401 || res.status === 403)
    throw new CliError(
      `the server refused the credentials (HTTP ${res.status}); check --token / GATE_API_TOKEN`,
      EXIT.usage,
    );
  const why = [body?.title, body?.detail]
    .filter((x) => typeof x === 'string')
    .join(': ')
    .slice(0, 500);
  if (res.status >= 400 && res.status < 500)
    throw new CliError(
      `the server refused the request (HTTP ${res.status})${why ? `: ${why}` : ''}`,
      EXIT.usage,
    );
  throw new CliError(`the server answered HTTP ${res.status} without a decision report`, EXIT.unavailable);
}

export const exitForDecision = (r: DecisionReport): number =>
  r.decision === 'ALLOW' ? EXIT.ok : EXIT.negative;
