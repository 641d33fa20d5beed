// The status page and UI routes of the api port. They are `auth: false` for
// the router (a browser sends no Bearer header); withSession() checks the
// session cookie instead and sends anyone without one to /ui/login.
import type { Route } from '../router.js';
import { alertsPage, alertsTakePost } from './alerts-page.js';
import { auditPage } from './audit-page.js';
import { auditExport } from './audit-export.js';
import { decisionPage } from './decision-page.js';
import { withSession } from './guard.js';
import { loginGet, loginPost, logoutPost } from './login-page.js';
import { configCheckGet, configCheckPost } from './config-check-page.js';
import { overviewPage } from './overview-page.js';
import { replicationGet, replicationPost } from './replication-page.js';
import { refreshScriptRoute, stylesheetRoute } from './static-route.js';
import type { UiDeps } from './ui-deps.js';

export function uiRoutes(deps: UiDeps): Route[] {
  const open = (method: Route['method'], path: string, handler: Route['handler']): Route => ({
    method,
    path,
    auth: false,
    handler,
  });
  return [
    open(
      'GET',
      '/',
      withSession(deps, (c, s) => overviewPage(c, s, deps)),
    ),
    open('GET', '/ui/login', (c) => loginGet(c, deps)),
    open('POST', '/ui/login', (c) => loginPost(c, deps)),
    open(
      'POST',
      '/ui/logout',
      withSession(deps, (c, s) => logoutPost(c, s, deps), { csrf: true }),
    ),
    open(
      'GET',
      '/ui/migration',
      withSession(deps, (c, s) => configCheckGet(c, s)),
    ),
    open(
      'POST',
      '/ui/migration',
      withSession(deps, (c, s) => configCheckPost(c, s, deps), { csrf: true }),
    ),
    open(
      'GET',
      '/ui/replication',
      withSession(deps, (c, s) => replicationGet(c, s)),
    ),
    open(
      'POST',
      '/ui/replication',
      withSession(deps, (c, s) => replicationPost(c, s, deps), { csrf: true }),
    ),
    open(
      'GET',
      '/ui/audit',
      withSession(deps, (c, s) => auditPage(c, s, deps)),
    ),
    open(
      'GET',
      '/ui/alerts',
      withSession(deps, (c, s) => alertsPage(c, s, deps)),
    ),
    open(
      'POST',
      '/ui/alerts/take',
      withSession(deps, (c, s) => alertsTakePost(c, s, deps), { csrf: true }),
    ),
    open(
      'GET',
      '/ui/audit/export',
      withSession(deps, (c) => auditExport(c, deps)),
    ),
    open(
      'GET',
      '/ui/decisions',
      withSession(deps, (c, s) => decisionPage(c, s, deps)),
    ),
    open('GET', '/ui/static/gate.css', stylesheetRoute),
    open('GET', '/ui/static/refresh.js', refreshScriptRoute),
    // Browsers ask for it on every page; an empty answer keeps the logs quiet.
    open('GET', '/favicon.ico', (c) => {
      c.res.statusCode = 204;
      c.res.end();
    }),
  ];
}
