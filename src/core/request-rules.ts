// The rule id a request-level refusal is recorded under, by the error that
// stopped it: "[request-too-large]" tells an app team what to change, where
// one "[malformed-request]" for everything made them read the message.
import type { ErrorCode } from './errors.js';

const RULES: Partial<Record<ErrorCode, string>> = {
  'missing-part': 'request-missing-part',
  'unsupported-media-type': 'request-media-type',
  'payload-too-large': 'request-too-large',
  timeout: 'request-timeout',
  forbidden: 'request-forbidden',
  'artifact-refused': 'artifact-refused',
  'artifact-unavailable': 'artifact-unavailable',
  'server-not-configured': 'server-not-configured',
};

/** Every rule id requestRuleOf can give, for bounded metric labels. */
export const REQUEST_RULES = ['malformed-request', ...new Set(Object.values(RULES))] as const;

export function requestRuleOf(code: ErrorCode): string {
  return RULES[code] ?? 'malformed-request';
}
