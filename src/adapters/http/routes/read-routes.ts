// The read-only API: audit logs and verification, alerts, policies, health.
import { GateError, isGateError } from '../../../core/errors.js';
import { AuditQuerySchema } from '../../../core/audit-query.js';
import { queryAudit } from '../../../services/audit/read-audit.js';
import { describeZodIssue } from '../../../core/zod-findings.js';
import type { ApiDeps } from '../api-deps.js';
import { sendJson } from '../respond.js';
import type { RequestContext } from '../router.js';

export async function auditLogsRoute(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const parsed = AuditQuerySchema.safeParse(Object.fromEntries(ctx.url.searchParams));
  if (!parsed.success) {
    throw new GateError(
      'bad-request',
      `invalid query: ${describeZodIssue(parsed.error.issues[0], 'parameter')}`,
    );
  }
  sendJson(ctx.res, 200, await storeRead(deps, () => queryAudit(deps.gate.audit, parsed.data)));
}

/** A store that cannot be read is a 503 naming the store, never an internal 500. */
async function storeRead<T>(deps: ApiDeps, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (isGateError(e)) throw e;
    const health = deps.gate.audit.health();
    throw new GateError(
      'audit-unavailable',
      `audit store (${deps.gate.audit.kind}) cannot be read${health.ok ? '' : `: ${health.detail}`}`,
      undefined,
      { cause: e },
    );
  }
}

/**
 * 200 when every chain is intact, 409 when one is broken (so `curl --fail`
 * fails), 503 when the store is failing (writes refused, file lost) or
 * cannot be read. A full walk that starts after the call, never the pages' kept
 * result; concurrent calls share it. The walk raises the audit-chain alert.
 */
export async function auditVerifyRoute(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const result = await storeRead(deps, () => deps.auditSnapshots.verify());
  // Intact history in a store that no longer takes writes is not "ok".
  const store = deps.gate.audit.health();
  if (!store.ok) {
    sendJson(ctx.res, 503, { ...result, ok: false, store: { ok: false, detail: store.detail } });
    return;
  }
  sendJson(ctx.res, result.ok ? 200 : 409, result);
}

export function policiesRoute(ctx: RequestContext, deps: ApiDeps): void {
  const set = deps.gate.policies.current();
  const status = deps.gate.policies.status();
  sendJson(ctx.res, 200, {
    digest: set?.digest ?? null,
    names: set?.names ?? [],
    loaded_at: status.loadedAt ?? null,
    errors: status.errors,
    rules: set?.rules ?? [],
  });
}

export function healthzRoute(ctx: RequestContext): void {
  sendJson(ctx.res, 200, { status: 'ok' });
}

export function readyzRoute(ctx: RequestContext, deps: ApiDeps): void {
  const r = deps.readiness();
  sendJson(ctx.res, r.ok ? 200 : 503, {
    status: r.ok ? 'ready' : 'not ready',
    checks: r.checks,
    ...(r.signals ? { alerts: r.signals } : {}),
  });
}
