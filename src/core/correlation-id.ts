// The caller's X-Request-Id is not the gate's request id (a reused one would
// name two records): it is kept as correlation_id, and only when it is a
// plain token that does not look like a secret (it is echoed and audited).
import { detectTokenKind } from './policy/secret-patterns.js';

const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;

export function correlationIdOf(given: unknown): string | undefined {
  if (typeof given !== 'string' || !TOKEN.test(given)) return undefined;
  return detectTokenKind(given) === undefined ? given : undefined;
}
