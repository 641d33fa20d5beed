// A plain-HTTP stand-in for the few apiserver calls the background audit
// makes (list namespaces by label, list ConfigMaps, get/create an OpenReports
// Report), so a test can run the real client-node adapter and the real app
// without a cluster. Answers are Kubernetes-shaped (lists, Status bodies);
// a namespace in `forbidden` answers 403 as an RBAC gap would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface FakeNamespace {
  name: string;
  labels: Record<string, string>;
  configMaps: unknown[];
  /** Listing its ConfigMaps answers 403 with this Status message. */
  forbidden?: string;
}

export interface FakeKubeApi {
  /**
   * A kubeconfig file pointing at this server (token auth, plain HTTP).
   * client-node refuses http:// unless insecure-skip-tls-verify is set, so it is.
   */
  kubeconfig: string;
  /** Reports created, by "namespace/name". */
  reports: Map<string, unknown>;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeKubeApi(namespaces: FakeNamespace[]): Promise<FakeKubeApi> {
  const reports = new Map<string, unknown>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => status(res, 500, 'InternalError', String(e)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}`);
    if (req.headers.authorization !== 'Bearer fake-kube-token')
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    let m: RegExpMatchArray | null;
    if (req.method === 'GET' && url.pathname === '/api/v1/namespaces') {
      const [key, value] = (url.searchParams.get('labelSelector') ?? '').split('=');
      const items = namespaces
        .filter((ns) => key === undefined || key === '' || ns.labels[key] === value)
        .map((ns) => ({ metadata: { name: ns.name, labels: ns.labels } }));
      return json(res, 200, { kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items });
    }
    if (req.method === 'GET' && (m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/))) {
      const ns = namespaces.find((n) => n.name === m![1]);
      if (!ns) return status(res, 404, 'NotFound', `namespaces "${m[1]}" not found`);
      if (ns.forbidden) return status(res, 403, 'Forbidden', ns.forbidden);
      return json(res, 200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: ns.configMaps });
    }
    const reportPath = /^\/apis\/openreports\.io\/v1alpha1\/namespaces\/([^/]+)\/reports(?:\/([^/]+))?$/;
    if ((m = url.pathname.match(reportPath)) && (await report(req, res, m[1]!, m[2]))) return;
    status(res, 404, 'NotFound', `the fake apiserver does not serve ${req.method} ${url.pathname}`);
  }

  /** The OpenReports Report calls (get, create, replace); false when the method does not fit. */
  async function report(
    req: IncomingMessage,
    res: ServerResponse,
    ns: string,
    name: string | undefined,
  ): Promise<boolean> {
    if (req.method === 'GET' && name) {
      const r = reports.get(`${ns}/${name}`);
      if (r) json(res, 200, r);
      else status(res, 404, 'NotFound', `reports.openreports.io "${name}" not found`);
      return true;
    }
    if (req.method === 'POST' && !name) {
      const body = JSON.parse(await read(req)) as { metadata: { name: string } };
      const stored = { ...body, metadata: { ...body.metadata, namespace: ns, resourceVersion: '1' } };
      reports.set(`${ns}/${body.metadata.name}`, stored);
      json(res, 201, stored);
      return true;
    }
    if (req.method === 'PUT' && name) {
      const body = JSON.parse(await read(req)) as Record<string, unknown>;
      reports.set(`${ns}/${name}`, body);
      json(res, 200, body);
      return true;
    }
    return false;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-kube-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'fake', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'gate', user: { token: 'fake-kube-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'gate' } }],
      'current-context': 'fake',
    }),
  );
  return {
    kubeconfig,
    reports,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}
