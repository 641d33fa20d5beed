// The read-only API: audit logs and verification, alerts, policies, health.
import { GateError } from '../../../core/errors.js';
import { AuditQuerySchema } from '../../../core/audit-query.js';
import { queryAudit } from '../../../services/audit-service.js';
import type { ApiDeps } from '../api-deps.js';
import { sendJson } from '../respond.js';
import type { RequestContext } from '../router.js';

export async function auditLogsRoute(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const parsed = AuditQuerySchema.safeParse(Object.fromEntries(ctx.url.searchParams));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new GateError('bad-request', `invalid query parameter "${String(i?.path[0] ?? '?')}": ${i?.message ?? 'invalid'}`);
  }
  sendJson(ctx.res, 200, await queryAudit(deps.gate.audit, parsed.data));
}

/**
 * 200 when every chain is intact, 409 when one is broken (so `curl --fail`
 * fails). A full walk that starts after the call, never the pages' kept
 * result; concurrent calls share it. The walk raises the audit-chain alert.
 */
export async function auditVerifyRoute(ctx: RequestContext, deps: ApiDeps): Promise<void> {
  const result = await deps.auditSnapshots.verify();
  sendJson(ctx.res, result.ok ? 200 : 409, result);
}

export function alertsRoute(ctx: RequestContext, deps: ApiDeps): void {
  sendJson(ctx.res, 200, { items: deps.gate.alerts.list() });
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
  sendJson(ctx.res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not ready', checks: r.checks });
}
