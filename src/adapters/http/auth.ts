// Bearer-token authentication for /api/v1. Tokens are kept only as SHA-256
// digests and compared in constant time; a TokenReview-backed verifier (in
// cluster) can be chained after the static one.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GateError } from '../../core/errors.js';

export interface TokenVerifier {
  /** Resolves to a principal name when the token is valid, undefined otherwise. */
  verify(token: string): Promise<string | undefined>;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function staticTokenVerifier(digests: readonly Buffer[], principal = 'api-token'): TokenVerifier {
  return {
    async verify(token) {
      const presented = hashToken(token);
      let match = false;
      // Compare with every digest, always: the time does not depend on which matched.
      for (const d of digests) match = timingSafeEqual(presented, d) || match;
      return match ? principal : undefined;
    },
  };
}

export function chainVerifiers(verifiers: readonly TokenVerifier[]): TokenVerifier {
  return {
    async verify(token) {
      for (const v of verifiers) {
        const who = await v.verify(token);
        if (who) return who;
      }
      return undefined;
    },
  };
}

export async function authenticate(req: IncomingMessage, verifier: TokenVerifier): Promise<string> {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header);
  if (!m) throw new GateError('unauthorized', 'missing or malformed Authorization: Bearer token');
  const who = await verifier.verify(m[1]!);
  if (!who) throw new GateError('unauthorized', 'the bearer token is not valid');
  return who;
}
