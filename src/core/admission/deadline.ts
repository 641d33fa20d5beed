// The apiserver appends `?timeout=<Go duration>` (e.g. `10s`) to the webhook
// URL. The gate must answer before that, or the apiserver applies the
// failurePolicy with an opaque "context deadline exceeded". So the gate
// stops deciding 1.5 s early (time to audit and answer) and gives up on the
// audit write 0.5 s early, always answering with a BLOCK it can explain.

export const DECIDE_MARGIN_MS = 1500;
export const ANSWER_MARGIN_MS = 500;
/** Kubernetes caps webhook timeouts at 30 s; a larger value is not from an apiserver. */
export const MAX_TIMEOUT_MS = 30_000;

export interface AdmissionBudget {
  timeoutMs: number;
  /** Evaluation must be done by then (ms from receipt). */
  decideByMs: number;
  /** The answer (with its audit record if possible) must be sent by then. */
  answerByMs: number;
}

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

/** Go's time.Duration.String() format: `10s`, `1m30s`, `1.5s`, `500ms`. */
export function parseGoDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > 32) return undefined;
  const part = /(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? NaN);
    at = part.lastIndex;
  }
  return Number.isFinite(total) ? total : undefined;
}

export function admissionBudget(
  timeoutParam: string | null | undefined,
  defaultSeconds: number,
): AdmissionBudget {
  const given = timeoutParam ? parseGoDuration(timeoutParam) : undefined;
  const timeoutMs = Math.min(
    MAX_TIMEOUT_MS,
    given !== undefined && given > 0 ? given : defaultSeconds * 1000,
  );
  // Short timeouts (1-2 s) cannot afford the full margins; keep half for work.
  const decideByMs = Math.max(timeoutMs - DECIDE_MARGIN_MS, timeoutMs / 2);
  const answerByMs = Math.max(timeoutMs - ANSWER_MARGIN_MS, (decideByMs + timeoutMs) / 2);
  return { timeoutMs, decideByMs, answerByMs };
}
