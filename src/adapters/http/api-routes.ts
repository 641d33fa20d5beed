// The route table of the api port.
import type { ApiDeps } from './api-deps.js';
import { openApiDocument } from './openapi.js';
import { sendJson } from './respond.js';
import type { Route } from './router.js';
import {
  auditLogsRoute,
  auditVerifyRoute,
  healthzRoute,
  policiesRoute,
  readyzRoute,
} from './routes/read-routes.js';
import { alertsRoute, alertTakeRoute } from './routes/alert-routes.js';
import { verificationRoute } from './routes/verifications-route.js';
import {
  checkpointRoute,
  consistencyRoute,
  exportRoute,
  keyRoute,
  proofRoute,
} from './routes/checkpoint-routes.js';
import { validateConfigRoute } from './routes/validate-config.js';
import { validateReplicationRoute } from './routes/validate-replication.js';

export function apiRoutes(deps: ApiDeps, extra: readonly Route[] = []): Route[] {
  const doc = openApiDocument(deps.buildInfo.version);
  return [
    {
      method: 'POST',
      path: '/api/v1/validate/migration',
      auth: true,
      handler: (c) => validateConfigRoute(c, deps),
    },
    {
      method: 'POST',
      path: '/api/v1/validate/replication',
      auth: true,
      handler: (c) => validateReplicationRoute(c, deps, deps.replication),
    },
    { method: 'GET', path: '/api/v1/audit/logs', auth: true, handler: (c) => auditLogsRoute(c, deps) },
    { method: 'GET', path: '/api/v1/audit/verify', auth: true, handler: (c) => auditVerifyRoute(c, deps) },
    { method: 'GET', path: '/api/v1/alerts', auth: true, handler: (c) => alertsRoute(c, deps) },
    {
      method: 'POST',
      path: '/api/v1/alerts/acknowledge',
      auth: true,
      handler: (c) => alertTakeRoute('acknowledge')(c, deps),
    },
    {
      method: 'POST',
      path: '/api/v1/alerts/resolve',
      auth: true,
      handler: (c) => alertTakeRoute('resolve')(c, deps),
    },
    { method: 'GET', path: '/api/v1/verifications', auth: true, handler: (c) => verificationRoute(c, deps) },
    { method: 'GET', path: '/api/v1/policies', auth: true, handler: (c) => policiesRoute(c, deps) },
    { method: 'GET', path: '/healthz', auth: false, handler: healthzRoute },
    { method: 'GET', path: '/readyz', auth: false, handler: (c) => readyzRoute(c, deps) },
    { method: 'GET', path: '/openapi.json', auth: false, handler: (c) => sendJson(c.res, 200, doc) },
    ...(deps.auditTrees ? treeRoutes(deps.auditTrees) : []),
    {
      method: 'GET',
      path: '/api/v1/audit/export',
      auth: true,
      handler: (c) => exportRoute(c, deps.gate.audit),
    },
    ...extra,
  ];
}

function treeRoutes(trees: NonNullable<ApiDeps['auditTrees']>): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/audit/checkpoint',
      auth: true,
      handler: (c) => checkpointRoute(c, trees),
    },
    { method: 'GET', path: '/api/v1/audit/proof', auth: true, handler: (c) => proofRoute(c, trees) },
    {
      method: 'GET',
      path: '/api/v1/audit/consistency',
      auth: true,
      handler: (c) => consistencyRoute(c, trees),
    },
    { method: 'GET', path: '/api/v1/audit/key', auth: false, handler: (c) => keyRoute(c, trees) },
  ];
}
