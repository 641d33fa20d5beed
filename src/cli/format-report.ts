// Human rendering of a decision report for terminals and CI logs.
import type { DecisionReport } from '../core/contracts/report.js';

const MARK = { pass: 'ok  ', fail: 'FAIL', skipped: '--  ' } as const;

export function formatReport(r: DecisionReport): string {
  const who = [
    r.subject.app_id,
    r.subject.env && `(${r.subject.env})`,
    r.subject.source_db && `${r.subject.source_db} -> ${r.subject.target_db ?? '?'}`,
  ]
    .filter(Boolean)
    .join(' ');
  const lines = [`${r.decision}  ${r.scenario}  ${who || '-'}  request ${r.request_id}`, 'steps:'];
  for (const s of r.steps) lines.push(`  ${MARK[s.status]} ${s.step}${s.detail ? `: ${s.detail}` : ''}`);
  if (r.reasons.length > 0) lines.push('reasons:', ...r.reasons.map((x) => `  ${x}`));
  if (r.warnings.length > 0) lines.push('warnings:', ...r.warnings.map((x) => `  ${x}`));
  return `${lines.join('\n')}\n`;
}
