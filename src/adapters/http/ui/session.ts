// UI sessions. A browser cannot send the Bearer header from a plain form, so
// the login form trades the API token for a cookie holding it: HttpOnly (no
// script reads it), SameSite=Strict (no other site's page sends it), Secure
// when the api port speaks TLS. The token is checked with the same verifier
// as the REST API on every request, so revoking a token ends its sessions and
// replicas need no shared session state.
// CSRF: every state-changing form carries HMAC(token, purpose) in a hidden
// `csrf` field of its body (csrf-body.ts; never in the action URL, where it
// would stay in the address bar, history and Referer), compared in constant
// time; the Origin header, when sent, must name this host.
import type { Environment } from '../../../core/contracts/migration-manifest.js';
import { identify, type TokenVerifier } from '../auth.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GateError } from '../../../core/errors.js';

export const SESSION_COOKIE = 'mg_session';
const SESSION_SECONDS = 8 * 3600;

export interface Session {
  principal: string;
  csrf: string;
  /** The environments the session's token may vouch for (as on /api/v1). */
  envs: readonly Environment[];
}

export function csrfFor(token: string): string {
  return createHmac('sha256', token).update('migration-gate ui csrf v1').digest('base64url');
}

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The session of this request, or undefined when there is none or its token is no longer valid. */
export async function sessionOf(req: IncomingMessage, verifier: TokenVerifier): Promise<Session | undefined> {
  const token = cookieValue(req, SESSION_COOKIE);
  if (!token || !/^[\x21-\x7e]{1,4096}$/.test(token)) return undefined;
  const who = await identify(verifier, token);
  return who ? { principal: who.principal, csrf: csrfFor(token), envs: who.envs } : undefined;
}

export function setSessionCookie(res: ServerResponse, token: string, tls: boolean): void {
  res.setHeader(
    'Set-Cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${tls ? '; Secure' : ''}`,
  );
}

export function clearSessionCookie(res: ServerResponse, tls: boolean): void {
  res.setHeader(
    'Set-Cookie',
    `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${tls ? '; Secure' : ''}`,
  );
}

/** Refuses unless `given` is this session's CSRF token (constant time). */
export function checkCsrfToken(given: string | null | undefined, session: Session): void {
  const got = Buffer.from(given ?? '', 'utf8');
  const want = Buffer.from(session.csrf, 'utf8');
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw csrfRefused();
}

export function csrfRefused(): GateError {
  return new GateError(
    'forbidden',
    "the form's CSRF token is missing or stale; reload the page and submit again",
  );
}

export function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new GateError('forbidden', "the request's Origin header is not a URL");
  }
  if (host !== req.headers.host) throw new GateError('forbidden', 'cross-origin form posts are refused');
}

/** Only same-site paths: `next=//evil.example` or `next=https://…` must not redirect off the gate. */
export function safeNext(next: string | null | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}
