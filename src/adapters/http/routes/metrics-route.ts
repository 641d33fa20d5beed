// GET /metrics: open (like /healthz), Prometheus text format from the gate's
// own registry. Label values are closed sets, so nothing here is sensitive.
import type { Route } from '../router.js';

export interface MetricsScrape {
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function metricsRoute(metrics: MetricsScrape): Route {
  return {
    method: 'GET',
    path: '/metrics',
    auth: false,
    handler: async (ctx) => {
      const { contentType, body } = await metrics.scrape();
      ctx.res.statusCode = 200;
      ctx.res.setHeader('Content-Type', contentType);
      ctx.res.setHeader('Content-Length', Buffer.byteLength(body));
      ctx.res.end(body);
    },
  };
}
