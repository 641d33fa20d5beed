// The page shell every UI page shares, and the HTML response with its own
// Content-Security-Policy: scripts and styles from the gate only, no inline
// code, forms may only post back to the gate.
import { csrfField } from './csrf-body.js';
import type { ServerResponse } from 'node:http';
import { html, type SafeHtml } from './html.js';
import type { Session } from './session.js';

export const HTML_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const NAV: Array<[string, string]> = [
  ['/', 'Overview'],
  ['/ui/migration', 'Migration (T1)'],
  ['/ui/replication', 'Replication (T2)'],
  ['/ui/audit', 'Audit log'],
  ['/ui/alerts', 'Alerts'],
];

export interface PageOptions {
  title: string;
  /** The nav entry to mark as current. */
  current?: string;
  session?: Session;
  /** Seconds between automatic reloads (needs JavaScript; the page works without). */
  refresh?: number;
  body: SafeHtml;
}

export function page(o: PageOptions): string {
  const nav = o.session
    ? NAV.map(
        ([href, label]) =>
          html`<a href="${href}"${o.current === href ? html` aria-current="page"` : ''}>${label}</a>`,
      )
    : [];
  const logout = o.session
    ? html`<form method="post" action="/ui/logout">${csrfField(o.session)}<button type="submit">Log out</button></form>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · migration-gate</title><link rel="stylesheet" href="/ui/static/gate.css"></head>
<body data-refresh="${o.refresh ?? 0}">
<header><span class="brand">migration-gate</span><nav>${nav}</nav>${logout}</header>
<main><h1>${o.title}</h1>
${o.body}
</main>
<script src="/ui/static/refresh.js"></script>
</body></html>
`.text;
}

export function sendHtml(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Security-Policy', HTML_CSP);
  // Not no-referrer (the API default): under no-referrer a browser sends
  // `Origin: null` with form posts, and the CSRF check needs the real origin.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function redirect(res: ServerResponse, location: string): void {
  res.statusCode = 303;
  res.setHeader('Location', location);
  res.setHeader('Content-Length', 0);
  res.end();
}

export function badge(value: string): SafeHtml {
  return html`<span class="badge ${value}">${value}</span>`;
}
