// The route table of the api port.
import type { ApiDeps } from './api-deps.js';
import { openApiDocument } from './openapi.js';
import { sendJson } from './respond.js';
import type { Route } from './router.js';
import { alertsRoute, auditLogsRoute, auditVerifyRoute, healthzRoute, policiesRoute, readyzRoute } from './routes/read-routes.js';
import { validateConfigRoute } from './routes/validate-config.js';
import { validateReplicationRoute } from './routes/validate-replication.js';

export function apiRoutes(deps: ApiDeps, extra: readonly Route[] = []): Route[] {
  const doc = openApiDocument(deps.buildInfo.version);
  return [
    { method: 'POST', path: '/api/v1/validate/migration', auth: true, handler: (c) => validateConfigRoute(c, deps) },
    { method: 'POST', path: '/api/v1/validate/replication', auth: true, handler: (c) => validateReplicationRoute(c, deps, deps.replication) },
    { method: 'GET', path: '/api/v1/audit/logs', auth: true, handler: (c) => auditLogsRoute(c, deps) },
    { method: 'GET', path: '/api/v1/audit/verify', auth: true, handler: (c) => auditVerifyRoute(c, deps) },
    { method: 'GET', path: '/api/v1/alerts', auth: true, handler: (c) => alertsRoute(c, deps) },
    { method: 'GET', path: '/api/v1/policies', auth: true, handler: (c) => policiesRoute(c, deps) },
    { method: 'GET', path: '/healthz', auth: false, handler: healthzRoute },
    { method: 'GET', path: '/readyz', auth: false, handler: (c) => readyzRoute(c, deps) },
    { method: 'GET', path: '/openapi.json', auth: false, handler: (c) => sendJson(c.res, 200, doc) },
    ...extra,
  ];
}
