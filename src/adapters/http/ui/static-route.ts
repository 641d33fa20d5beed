// GET /ui/static/gate.css and /ui/static/refresh.js, with an ETag so a
// refreshing page does not download them again.
import { createHash } from 'node:crypto';
import type { Handler } from '../router.js';
import { REFRESH_SCRIPT, STYLESHEET } from './assets.js';

function asset(contentType: string, text: string): Handler {
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
  return (ctx) => {
    ctx.res.setHeader('ETag', etag);
    ctx.res.setHeader('Cache-Control', 'no-cache');
    if (ctx.req.headers['if-none-match'] === etag) {
      ctx.res.statusCode = 304;
      ctx.res.end();
      return;
    }
    ctx.res.statusCode = 200;
    ctx.res.setHeader('Content-Type', contentType);
    ctx.res.setHeader('Content-Length', Buffer.byteLength(text));
    ctx.res.end(text);
  };
}

export const stylesheetRoute = asset('text/css; charset=utf-8', STYLESHEET);
export const refreshScriptRoute = asset('text/javascript; charset=utf-8', REFRESH_SCRIPT);
