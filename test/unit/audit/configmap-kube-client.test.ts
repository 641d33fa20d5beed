// The Kubernetes client under the ConfigMap sink (client-node behind our
// ports): kubeconfig loading, and HTTP outcomes mapped to the error kinds the sink's
// exactly-once logic depends on (409 conflict = not applied; no answer =
// unknown outcome). Against a local HTTPS server with a throwaway CA.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectKube } from '../../../src/adapters/k8s/kube-connection.js';
import { isKubeError, type KubeError } from '../../../src/core/ports/kube-errors.js';
import { issueCa, issueServing, type PemKeyPair } from '../../../src/adapters/tls/issue-certs.js';

async function failure(p: Promise<unknown>): Promise<KubeError> {
  try {
    await p;
  } catch (e) {
    if (isKubeError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('Kubernetes REST client (ConfigMap sink transport)', () => {
  let dir: string;
  let ca: PemKeyPair;
  let server: Server;
  let port: number;
  let seen: {
    method: string;
    url: string;
    auth: string | undefined;
    body: string;
    port: number | undefined;
    accept: string | undefined;
  }[];
  let answer: (method: string, url: string) => { status: number; body: unknown } | 'hang' | 'reset';

  before(async function () {
    this.timeout(60_000);
    ca = await issueCa(new Date());
    const serving = await issueServing(ca, ['127.0.0.1'], new Date());
    server = createServer({ key: serving.key, cert: serving.cert }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        seen.push({
          method: req.method!,
          url: req.url!,
          auth: req.headers.authorization,
          body,
          port: req.socket.remotePort,
          accept: req.headers.accept,
        });
        const a = answer(req.method!, req.url!);
        if (a === 'hang') return;
        if (a === 'reset') {
          req.socket.destroy();
          return;
        }
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'mg-kube-'));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    seen = [];
  });

  const kubeconfig = async (
    user: Record<string, unknown>,
    server = `https://127.0.0.1:${port}`,
  ): Promise<string> => {
    const path = join(dir, `kc-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(join(dir, 'ca.crt'), ca.cert);
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: gate',
        'clusters:',
        `- name: c`,
        `  cluster: {server: "${server}", certificate-authority: ca.crt}`,
        'contexts:',
        '- name: gate',
        '  context: {cluster: c, user: u}',
        'users:',
        '- name: u',
        `  user: ${JSON.stringify(user)}`,
        '',
      ].join('\n'),
    );
    return path;
  };
  const cm = (rv: string) => ({
    metadata: { name: 'seg', resourceVersion: rv, labels: { a: 'b' } },
    data: { 'records.jsonl': 'x\n' },
  });

  it('reads a YAML kubeconfig (CA file relative to it), sends the bearer token, reuses keep-alive connections', async () => {
    const store = connectKube({
      kubeconfigPath: await kubeconfig({ token: 'file-token' }),
      requestTimeoutMs: 2000,
    }).configMaps('ns-a');
    answer = () => ({ status: 200, body: cm('7') });
    const got = await store.get('seg');
    expect(got).to.deep.include({ name: 'seg', resourceVersion: '7', immutable: false });
    expect(seen[0]).to.deep.include({
      method: 'GET',
      url: '/api/v1/namespaces/ns-a/configmaps/seg',
      auth: 'Bearer file-token',
    });
    // Keep-alive connections, not a TLS handshake per request. undici may open
    // a second one when the next request starts before the previous socket is
    // back in the pool; ten requests on ten connections would be the bug.
    for (let i = 0; i < 9; i++) await store.get('seg');
    expect(seen).to.have.length(10);
    expect(new Set(seen.map((r) => r.port)).size).to.be.at.most(2);
  });

  it('replace sends the resourceVersion it is based on; 409 is a conflict, 404 not found, 403 forbidden, 422 invalid', async () => {
    const store = connectKube({
      kubeconfigPath: await kubeconfig({ token: 't' }),
      requestTimeoutMs: 2000,
    }).configMaps('ns-a');
    const stored = {
      name: 'seg',
      resourceVersion: '7',
      labels: {},
      annotations: {},
      data: { 'records.jsonl': 'x\n' },
      immutable: false,
    };
    for (const [status, kind] of [
      [409, 'conflict'],
      [404, 'not-found'],
      [403, 'forbidden'],
      [422, 'invalid'],
      [503, 'unavailable'],
    ] as const) {
      answer = () => ({ status, body: { kind: 'Status', message: `said ${status}` } });
      const e = await failure(store.replace(stored));
      expect(e.kind, String(status)).to.equal(kind);
      expect(e.message).to.contain(`said ${status}`);
    }
    expect(JSON.parse(seen[0]!.body)).to.deep.include({
      metadata: { name: 'seg', namespace: 'ns-a', labels: {}, annotations: {}, resourceVersion: '7' },
    });
    expect(seen[0]!.method).to.equal('PUT');
  });

  it('no answer in time, a reset connection and a refused connection are all "unavailable" (outcome unknown)', async () => {
    const store = connectKube({
      kubeconfigPath: await kubeconfig({ token: 't' }),
      requestTimeoutMs: 300,
    }).configMaps('ns-a');
    answer = () => 'hang';
    expect(await failure(store.get('seg'))).to.deep.include({ kind: 'unavailable' });
    answer = () => 'reset';
    expect((await failure(store.get('seg'))).kind).to.equal('unavailable');
    // A port that was just free (not 1: fetch refuses the "bad ports" list before connecting).
    const freed = await new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const closed = connectKube({
      kubeconfigPath: await kubeconfig({ token: 't' }, `https://127.0.0.1:${freed}`),
      requestTimeoutMs: 300,
    }).configMaps('ns-a');
    const refused = await failure(closed.get('seg'));
    expect(refused.kind).to.equal('unavailable');
    expect(refused.message).to.contain('ECONNREFUSED');
  });

  it('list follows continue tokens across pages', async () => {
    const store = connectKube({
      kubeconfigPath: await kubeconfig({ token: 't' }),
      requestTimeoutMs: 2000,
    }).configMaps('ns-a');
    answer = (_m, url) =>
      url.includes('continue=p2')
        ? {
            status: 200,
            body: { items: [{ ...cm('2'), metadata: { name: 'b', resourceVersion: '2' } }], metadata: {} },
          }
        : { status: 200, body: { items: [cm('1')], metadata: { continue: 'p2' } } };
    const all = await store.list('migrationgate.io/audit-segment=true');
    expect(all.map((c) => c.name)).to.deep.equal(['seg', 'b']);
    expect(seen[0]!.url).to.contain('labelSelector=migrationgate.io%2Faudit-segment%3Dtrue');
  });

  it('listMeta asks for a metadata-only list (PartialObjectMetadataList), follows continue tokens, and reads a full list the same way', async () => {
    const store = connectKube({
      kubeconfigPath: await kubeconfig({ token: 't' }),
      requestTimeoutMs: 2000,
    }).configMaps('ns-a');
    const meta = (name: string, rv: string) => ({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name, resourceVersion: rv, labels: { a: 'b' }, annotations: { n: name } },
    });
    answer = (_m, url) =>
      url.includes('continue=p2')
        ? { status: 200, body: { kind: 'PartialObjectMetadataList', items: [meta('b', '2')], metadata: {} } }
        : {
            status: 200,
            body: {
              kind: 'PartialObjectMetadataList',
              items: [meta('a', '1')],
              metadata: { continue: 'p2' },
            },
          };
    expect(await store.listMeta('migrationgate.io/audit-segment=true')).to.deep.equal([
      { name: 'a', resourceVersion: '1', labels: { a: 'b' }, annotations: { n: 'a' } },
      { name: 'b', resourceVersion: '2', labels: { a: 'b' }, annotations: { n: 'b' } },
    ]);
    expect(seen).to.have.length(2);
    for (const r of seen) {
      expect(r.accept).to.match(/^application\/json;as=PartialObjectMetadataList;g=meta\.k8s\.io;v=v1\b/);
      expect(r.url).to.contain('labelSelector=migrationgate.io%2Faudit-segment%3Dtrue');
    }
    // The other calls keep their JSON Accept (the middleware is per call).
    answer = () => ({ status: 200, body: cm('7') });
    await store.get('seg');
    expect(seen[2]!.accept).to.not.include('PartialObjectMetadata');
    // An apiserver that ignores the metadata-only ask answers a full list: the same metadata comes out, without data.
    seen = [];
    answer = () => ({ status: 200, body: { items: [cm('3')], metadata: {} } });
    expect(await store.listMeta('x=y')).to.deep.equal([
      { name: 'seg', resourceVersion: '3', labels: { a: 'b' }, annotations: {} },
    ]);
    // A metadata item without a resourceVersion cannot be told apart from another version: refused.
    answer = () => ({ status: 200, body: { items: [{ metadata: { name: 'x' } }], metadata: {} } });
    const err = await failure(store.listMeta('x=y'));
    expect(err.kind).to.equal('invalid');
  });

  it('a missing kubeconfig, or none outside a cluster, is a configuration error naming GATE_KUBECONFIG', () => {
    expect(() => connectKube({ kubeconfigPath: join(dir, 'missing.yaml') })).to.throw(/GATE_KUBECONFIG/);
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      expect(() => connectKube({})).to.throw(/GATE_KUBECONFIG/);
    } finally {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });
});
