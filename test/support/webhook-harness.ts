// Starts the real app with both listeners (as gate-harness does) and talks
// to the webhook over real HTTPS, trusting the locally generated CA. The TLS
// directory is shared by every gate this test process starts: RSA key
// generation takes seconds on a small CI machine.
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { App, AppOptions } from '../../src/app.js';
import { createTestApp, TEST_TOKEN } from './gate-harness.js';

export interface WebhookGate {
  app: App;
  apiUrl: string;
  webhookPort: number;
  ca: string;
  dataDir: string;
  auth: Record<string, string>;
  stop(): Promise<void>;
}

let sharedTlsDir: string | undefined;

export async function startWebhookGate(
  env: Record<string, string> = {},
  overrides: Partial<AppOptions> = {},
): Promise<WebhookGate> {
  sharedTlsDir ??= mkdtempSync(path.join(os.tmpdir(), 'gate-tls-'));
  const { app, config, dataDir, remove } = await createTestApp(
    { GATE_TLS_DIR: sharedTlsDir, ...env },
    overrides,
  );
  const { apiPort, webhookPort } = await app.start();
  return {
    app,
    dataDir,
    webhookPort,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    ca: readFileSync(path.join(config.tlsDir ?? path.join(dataDir, 'tls'), 'ca.crt'), 'utf8'),
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    async stop() {
      await app.stop();
      remove();
    },
  };
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

export interface HttpsCall {
  method?: string;
  path?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  servername?: string;
  /** Client certificate and key (PEM) for the mTLS handshake. */
  cert?: string;
  key?: string;
}

export function httpsRequest(gate: WebhookGate, call: HttpsCall): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: gate.webhookPort,
        method: call.method ?? 'POST',
        path: call.path ?? '/validate?timeout=10s',
        ca: gate.ca,
        servername: call.servername ?? 'localhost',
        agent: false,
        ...(call.cert ? { cert: call.cert, key: call.key } : {}),
        ...(call.maxVersion
          ? { maxVersion: call.maxVersion, minVersion: 'TLSv1' as const, ciphers: 'DEFAULT@SECLEVEL=0' }
          : {}),
        headers: { 'content-type': 'application/json', ...call.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            /* not JSON: the test looks at text */
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}

/** `route`: the webhook path the apiserver would call (/validate/prod, /validate/staging; plain /validate = prod). */
export function postReview(
  gate: WebhookGate,
  review: unknown,
  query = '?timeout=10s',
  route = '/validate',
): Promise<HttpsAnswer> {
  return httpsRequest(gate, { path: `${route}${query}`, body: JSON.stringify(review) });
}
