// A minimal JSON client for the Kubernetes REST API over node:https, with
// keep-alive, a per-request deadline and our own error kinds.
//
// Why not @kubernetes/client-node: v2 depends on undici 8, which needs
// Node >= 22.19 and does not even load on Node 20 (the gate's runtime). The
// ports (ConfigMapStore, TokenReviewer) hide the choice; see
// client-node-*.ts for the client-node implementation kept for a runtime bump.
import { Agent, request } from 'node:https';
import { KubeError, kindForStatus } from './kube-errors.js';
import type { KubeCredentials } from './kube-credentials.js';

export interface KubeHttp {
  readonly server: string;
  /** Resolves with the parsed JSON body of a 2xx answer; rejects with a KubeError otherwise. */
  call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
  close(): void;
}

/** Answers larger than this are refused: a segment is < 1 MiB, a list page holds a few. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export function kubeHttp(creds: KubeCredentials, timeoutMs: number): KubeHttp {
  const base = new URL(creds.server);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 8,
    ...(creds.ca ? { ca: creds.ca } : {}),
    ...(creds.cert ? { cert: creds.cert } : {}),
    ...(creds.key ? { key: creds.key } : {}),
    ...(creds.tlsServerName ? { servername: creds.tlsServerName } : {}),
    rejectUnauthorized: creds.insecureSkipTlsVerify !== true,
  });
  const prefix = base.pathname.replace(/\/$/, '');
  return {
    server: base.origin,
    call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
      const what = `${method} ${path.split('?')[0]}`;
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'migration-gate' };
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(payload.length);
      }
      const token = creds.token?.();
      if (token) headers.authorization = `Bearer ${token}`;
      return new Promise<T>((resolve, reject) => {
        const req = request({
          protocol: 'https:', hostname: base.hostname, port: base.port || 443, path: prefix + path, method, headers, agent,
          signal: AbortSignal.timeout(timeoutMs),
        }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('answer too large'));
            else chunks.push(c);
          });
          res.on('error', (e) => reject(network(what, e)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve(JSON.parse(text) as T);
              } catch {
                reject(new KubeError('unavailable', `${what}: HTTP ${status} with a body that is not JSON`, status));
              }
              return;
            }
            reject(new KubeError(kindForStatus(status), `${what}: HTTP ${status} ${statusMessage(text)}`.trim(), status));
          });
        });
        req.on('error', (e) => reject(network(what, e)));
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** No verdict from the apiserver: a write may or may not have happened. */
function network(what: string, e: Error): KubeError {
  const code = (e as { code?: string }).code;
  const why = e.name === 'AbortError' || e.name === 'TimeoutError' ? 'no answer in time (request timed out)'
    : code && !e.message.includes(code) ? `${code} ${e.message}` : e.message;
  return new KubeError('unavailable', `${what}: ${why}`);
}

function statusMessage(text: string): string {
  try {
    const b = JSON.parse(text) as { message?: unknown };
    if (typeof b.message === 'string') return b.message.slice(0, 300);
  } catch {
    // not a Status object
  }
  return text.slice(0, 200);
}
