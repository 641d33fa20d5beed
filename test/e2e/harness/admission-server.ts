import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCa, issueCert } from './pki.js';

/** The parts of an admission.k8s.io/v1 AdmissionReview request the tests look at. */
export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  namespace?: string;
  name?: string;
  operation: string;
  object?: Record<string, unknown>;
  dryRun?: boolean;
}

export interface AdmissionResult {
  allowed: boolean;
  message?: string;
  warnings?: string[];
}

export interface AdmissionServer {
  /** https://127.0.0.1:<port>/validate */
  url: string;
  /** PEM of the CA that signed the serving cert: base64 it into clientConfig.caBundle. */
  caPem: string;
  /** Every request received, oldest first. */
  requests: AdmissionRequest[];
  close(): Promise<void>;
}

/**
 * A stand-in admission webhook on 127.0.0.1 with its own CA, as a real
 * webhook would have: proves the apiserver calls url-mode webhooks and
 * honours the caBundle, independent of the gate under test.
 */
export async function startAdmissionServer(
  dir: string,
  decide: (req: AdmissionRequest) => AdmissionResult,
): Promise<AdmissionServer> {
  const pkiDir = join(dir, `webhook-pki-${Date.now()}`);
  await mkdir(pkiDir, { recursive: true });
  const ca = await createCa(pkiDir, 'webhook-ca');
  const leaf = await issueCert(pkiDir, ca, {
    name: 'webhook',
    cn: '127.0.0.1',
    hosts: ['127.0.0.1', 'localhost'],
    usage: 'server',
  });
  const requests: AdmissionRequest[] = [];

  const server: Server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      let review: { apiVersion?: string; request?: AdmissionRequest };
      try {
        review = JSON.parse(body) as typeof review;
      } catch {
        res.writeHead(400).end('bad AdmissionReview');
        return;
      }
      const request = review.request;
      if (!request) {
        res.writeHead(400).end('no request');
        return;
      }
      requests.push(request);
      const r = decide(request);
      const response = {
        uid: request.uid,
        allowed: r.allowed,
        ...(r.allowed ? {} : { status: { code: 403, reason: 'Forbidden', message: r.message ?? 'denied' } }),
        ...(r.warnings ? { warnings: r.warnings } : {}),
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/validate`,
    caPem: ca.certPem,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections(); // the apiserver keeps connections alive
        server.close(() => resolve());
      }),
  };
}
