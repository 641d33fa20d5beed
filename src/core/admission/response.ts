// Turns a decision report into the AdmissionReview answer a person running
// `kubectl apply` reads: the first line says who blocked what and under which
// request id (to find the audit record), then one line per reason, each with
// its rule id. `warn` findings become `warnings`, which kubectl prints as
// "Warning: ..." for ALLOWs and BLOCKs alike.
import type { DecisionReport } from '../contracts/report.js';
import { ADMISSION_API_VERSION, ADMISSION_KIND, type AdmissionReviewResponse } from './admission-review.js';

/** The object the answer is about, as the user named it. */
export interface AdmissionTarget {
  kind: string;
  namespace?: string;
  name?: string;
}

/** Kubernetes asks webhooks to keep each warning within 120 characters. */
export const MAX_WARNING_CHARS = 120;
/** The apiserver caps the total size of warnings; a long list is noise anyway. */
export const MAX_WARNINGS = 20;
/** Reason lines in the denial message; the audit record always has all of them. */
export const MAX_REASON_LINES = 30;

export function targetLabel(t: AdmissionTarget): string {
  const name = t.name && t.name.length > 0 ? t.name : '(unnamed)';
  return t.namespace ? `${t.namespace}/${name}` : name;
}

export function blockedMessage(report: DecisionReport, target: AdmissionTarget): string {
  const head = `migration-gate BLOCKED ${target.kind} ${targetLabel(target)} (${report.scenario}, request ${report.request_id})`;
  const reasons =
    report.reasons.length > 0
      ? report.reasons
      : ['[blocked] the gate blocked this request without a stated reason'];
  const shown = reasons.slice(0, MAX_REASON_LINES).map(oneLine);
  if (reasons.length > MAX_REASON_LINES)
    shown.push(`… and ${reasons.length - MAX_REASON_LINES} more; see the audit record`);
  return [head, ...shown].join('\n');
}

/** Printable, single-line, at most MAX_WARNING_CHARS characters (ellipsis included). */
export function warningLine(text: string): string {
  const chars = Array.from(oneLine(text));
  return chars.length <= MAX_WARNING_CHARS
    ? chars.join('')
    : `${chars.slice(0, MAX_WARNING_CHARS - 1).join('')}…`;
}

export function warningLines(lines: readonly string[]): string[] {
  const out = lines.slice(0, MAX_WARNINGS).map(warningLine);
  if (lines.length > MAX_WARNINGS)
    out.push(`… and ${lines.length - MAX_WARNINGS} more warnings; see the audit record`);
  return out;
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function envelope(response: AdmissionReviewResponse['response']): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}

/** The answer for a decided request. Only an ALLOW report yields allowed: true. */
export function reviewResponse(
  uid: string,
  report: DecisionReport,
  target: AdmissionTarget,
): AdmissionReviewResponse {
  const warnings = warningLines(report.warnings);
  const extra = warnings.length > 0 ? { warnings } : {};
  if (report.decision === 'ALLOW') return envelope({ uid, allowed: true, ...extra });
  return envelope({
    uid,
    allowed: false,
    status: { code: 403, reason: 'Forbidden', message: blockedMessage(report, target) },
    ...extra,
  });
}

/** Objects the gate does not judge (no gated key, unchanged UPDATE, other kinds). */
export function passResponse(uid: string, warnings: readonly string[] = []): AdmissionReviewResponse {
  const w = warningLines(warnings);
  return envelope({ uid, allowed: true, ...(w.length > 0 ? { warnings: w } : {}) });
}
