// Bearer-token authentication for /api/v1. Tokens are kept only as SHA-256
// digests and compared in constant time; a TokenReview-backed verifier (in
// cluster) can be chained after the static one.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Environment } from '../../core/contracts/migration-manifest.js';
import { GateError } from '../../core/errors.js';

export const ALL_ENVS: readonly Environment[] = ['prod', 'staging'];

/** Who a token belongs to, and which environments it may vouch for (a manifest claiming another is refused). */
export interface Identity {
  principal: string;
  envs: readonly Environment[];
}

export interface TokenVerifier {
  /** Resolves to a principal name when the token is valid, undefined otherwise. */
  verify(token: string): Promise<string | undefined>;
  /** The identity with its environments; a verifier without it vouches for every environment. */
  identify?(token: string): Promise<Identity | undefined>;
}

/** A static token: its digest and the environments it may vouch for. */
export interface TokenEntry {
  digest: Buffer;
  envs: readonly Environment[];
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function staticTokenVerifier(
  tokens: readonly (Buffer | TokenEntry)[],
  principal = 'api-token',
): TokenVerifier {
  const entries: TokenEntry[] = tokens.map((t) => (Buffer.isBuffer(t) ? { digest: t, envs: ALL_ENVS } : t));
  const identify = async (token: string): Promise<Identity | undefined> => {
    const presented = hashToken(token);
    let found: TokenEntry | undefined;
    // Compare with every digest, always: the time does not depend on which matched.
    for (const e of entries) if (timingSafeEqual(presented, e.digest)) found ??= e;
    return found ? { principal, envs: found.envs } : undefined;
  };
  return {
    identify,
    async verify(token) {
      return (await identify(token))?.principal;
    },
  };
}

/** A verifier whose every identity may vouch for exactly `envs` (TokenReview: GATE_API_TOKEN_REVIEW_ENVS). */
export function withEnvs(verifier: TokenVerifier, envs: readonly Environment[]): TokenVerifier {
  return {
    verify: (token) => verifier.verify(token),
    async identify(token) {
      const principal = await verifier.verify(token);
      return principal ? { principal, envs } : undefined;
    },
  };
}

export async function identify(verifier: TokenVerifier, token: string): Promise<Identity | undefined> {
  if (verifier.identify) return verifier.identify(token);
  const principal = await verifier.verify(token);
  return principal ? { principal, envs: ALL_ENVS } : undefined;
}

export function chainVerifiers(verifiers: readonly TokenVerifier[]): TokenVerifier {
  const first = async (token: string): Promise<Identity | undefined> => {
    for (const v of verifiers) {
      const who = await identify(v, token);
      if (who) return who;
    }
    return undefined;
  };
  return {
    identify: first,
    async verify(token) {
      return (await first(token))?.principal;
    },
  };
}

export async function authenticate(req: IncomingMessage, verifier: TokenVerifier): Promise<Identity> {
  const header = req.headers.authorization ?? '';
  const m = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header);
  if (!m) throw new GateError('unauthorized', 'missing or malformed Authorization: Bearer token');
  const who = await identify(verifier, m[1]!);
  if (!who) throw new GateError('unauthorized', 'the bearer token is not valid');
  return who;
}
