// A small exact-path router: request id, security headers, auth and error
// mapping wrap every handler, so handlers only do their one job.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Environment } from '../../core/contracts/migration-manifest.js';
import { correlationIdOf } from '../../core/correlation-id.js';
import { GateError } from '../../core/errors.js';
import type { IdGenerator, Logger } from '../../core/ports/runtime.js';
import { authenticate, type TokenVerifier } from './auth.js';
import { toProblem } from './error-map.js';
import { answerProblem, setSecurityHeaders } from './respond.js';
import { safeUrlPath } from '../../core/safe-text.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
  /** The caller's X-Request-Id when it is a plain, non-secret token (core/correlation-id.ts). */
  correlationId?: string;
  principal?: string;
  /** The environments the bearer token may vouch for (set with principal). */
  envs?: readonly Environment[];
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Bearer token required. */
  auth: boolean;
  handler: Handler;
}

export interface RouterOptions {
  verifier: TokenVerifier;
  ids: IdGenerator;
  logger: Logger;
  tls: boolean;
  onResponse?: (route: string, status: number, seconds: number) => void;
}

export function createRouter(
  routes: readonly Route[],
  opts: RouterOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const byPath = new Map<string, Route[]>();
  for (const r of routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);

  return (req, res) => {
    const started = performance.now();
    // Always the gate's own (unique) id; the caller's X-Request-Id is only a correlation id.
    const requestId = opts.ids.next();
    res.setHeader('X-Request-Id', requestId);
    const correlationId = correlationIdOf(req.headers['x-request-id']);
    if (correlationId !== undefined) res.setHeader('X-Correlation-Id', correlationId);
    setSecurityHeaders(res, opts.tls);
    const url = new URL(req.url ?? '/', 'http://gate.invalid');
    const candidates = byPath.get(url.pathname);
    const route = candidates?.find(
      (r) => r.method === req.method || (req.method === 'HEAD' && r.method === 'GET'),
    );
    res.on('finish', () =>
      opts.onResponse?.(
        route ? url.pathname : 'unmatched',
        res.statusCode,
        (performance.now() - started) / 1000,
      ),
    );
    const ctx: RequestContext = {
      req,
      res,
      url,
      requestId,
      ...(correlationId !== undefined ? { correlationId } : {}),
    };
    void dispatch(ctx, route, candidates, opts);
  };
}

async function dispatch(
  ctx: RequestContext,
  route: Route | undefined,
  candidates: Route[] | undefined,
  opts: RouterOptions,
): Promise<void> {
  try {
    if (!route) {
      if (candidates) ctx.res.setHeader('Allow', candidates.map((r) => r.method).join(', '));
      throw candidates
        ? new GateError('method-not-allowed', `${ctx.req.method} is not allowed on ${ctx.url.pathname}`)
        : new GateError('not-found', `no route for ${safeUrlPath(ctx.url.pathname)}`);
    }
    if (route.auth) {
      const who = await authenticate(ctx.req, opts.verifier);
      ctx.principal = who.principal;
      ctx.envs = who.envs;
    }
    await route.handler(ctx);
  } catch (e) {
    const problem = toProblem(e);
    if (problem.status >= 500)
      opts.logger.error('request failed', {
        request_id: ctx.requestId,
        path: safeUrlPath(ctx.url.pathname),
        error: String(e),
      });
    if (problem.status === 401) ctx.res.setHeader('WWW-Authenticate', 'Bearer realm="migration-gate"');
    if (ctx.res.headersSent) {
      ctx.res.destroy();
      return;
    }
    await answerProblem(ctx.res, problem, { request_id: ctx.requestId });
  }
}
