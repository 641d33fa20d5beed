// /api/v1 authentication with Kubernetes ServiceAccount (or any cluster)
// tokens: the apiserver says who the token belongs to (TokenReview), an
// allow-list says whether that identity may use the API. Chained after the
// static verifier (auth.ts chainVerifiers), so static tokens never leave
// the process.
//
// Positive answers are cached briefly: a busy client must not cost one
// TokenReview per request. The cache is keyed by the token's SHA-256, never
// the token. Negative answers are cached for at most a couple of seconds,
// only to blunt a flood of bad tokens: a token that just became valid (or a
// transient apiserver error) must not stay refused.
import { createHash } from 'node:crypto';
import { describeError } from '../../core/errors.js';
import { LruMap } from '../../core/lru-map.js';
import type { Logger } from '../../core/ports/runtime.js';
import type { TokenReviewer } from '../../core/ports/token-review.js';
import type { TokenVerifier } from './auth.js';

export interface TokenReviewVerifierOptions {
  /** Usernames allowed, e.g. `system:serviceaccount:ci:deployer`. */
  allowedUsers?: readonly string[];
  /** Groups allowed, e.g. `system:serviceaccounts:ci`. */
  allowedGroups?: readonly string[];
  /** How long an accepted token is trusted without asking again. 0 = never cached. */
  cacheSeconds: number;
  /** Cap for refusals (default 2 s, never more than cacheSeconds). */
  negativeCacheSeconds?: number;
  /** Entries kept at most (oldest evicted). */
  maxEntries?: number;
  now?: () => number;
  logger?: Logger;
}

interface Entry {
  who: string | undefined;
  expires: number;
}

const MAX_NEGATIVE_SECONDS = 2;

/**
 * Resolves to the username when the apiserver authenticates the token and
 * the user or one of its groups is allowed. Without allow-lists every
 * authenticated identity is allowed: pass at least one list in production.
 * An apiserver that cannot answer means "not authenticated" (fail closed).
 */
export function tokenReviewVerifier(
  reviewer: TokenReviewer,
  options: TokenReviewVerifierOptions,
): TokenVerifier {
  const now = options.now ?? Date.now;
  const users = options.allowedUsers ? new Set(options.allowedUsers) : undefined;
  const groups = options.allowedGroups ? new Set(options.allowedGroups) : undefined;
  const positiveMs = Math.max(0, options.cacheSeconds) * 1000;
  const negativeMs = Math.min(
    positiveMs,
    Math.max(0, options.negativeCacheSeconds ?? MAX_NEGATIVE_SECONDS) * 1000,
  );
  const maxEntries = Math.max(1, options.maxEntries ?? 1000);
  // Insertion order (a re-review moves a token to the end; a read does not): peek, not get.
  const cache = new LruMap<string, Entry>(maxEntries);
  // Concurrent requests with the same token share one review.
  const inFlight = new Map<string, Promise<string | undefined>>();

  const allowed = (username: string, userGroups: readonly string[]): boolean => {
    if (!users && !groups) return true;
    return (users?.has(username) ?? false) || userGroups.some((g) => groups?.has(g) ?? false);
  };

  const remember = (key: string, who: string | undefined, ttlMs: number): void => {
    if (ttlMs <= 0) return;
    cache.set(key, { who, expires: now() + ttlMs });
  };

  const review = async (key: string, token: string): Promise<string | undefined> => {
    let result;
    try {
      result = await reviewer.review(token);
    } catch (e) {
      // Not cached: the next request asks again.
      options.logger?.warn('TokenReview failed; refusing the token', { error: describeError(e) });
      return undefined;
    }
    const who =
      result.authenticated && result.username !== undefined && allowed(result.username, result.groups)
        ? result.username
        : undefined;
    if (result.authenticated && who === undefined) {
      options.logger?.info('TokenReview: authenticated identity is not allowed to use the API', {
        user: result.username,
      });
    }
    remember(key, who, who === undefined ? negativeMs : positiveMs);
    return who;
  };

  return {
    async verify(token) {
      const key = createHash('sha256').update(token, 'utf8').digest('hex');
      const hit = cache.peek(key);
      if (hit && hit.expires > now()) return hit.who;
      if (hit) cache.delete(key);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = review(key, token).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
  };
}
