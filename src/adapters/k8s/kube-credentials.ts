// Where the apiserver is and how to authenticate to it: a kubeconfig file
// (out of cluster) or the Pod's ServiceAccount (in cluster). Supports what
// a gate needs: CA, bearer token (inline or a file re-read as it rotates),
// client certificate. Exec and auth-provider plugins are not supported.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { GateError } from '../../core/errors.js';

export interface KubeCredentials {
  server: string;
  ca?: Buffer;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  cert?: Buffer;
  key?: Buffer;
  /** The current bearer token, if any (re-read from its file now and then). */
  token?: () => string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Projected ServiceAccount tokens rotate (kubelet refreshes at 80% of ~1 h): re-read well before. */
const TOKEN_FILE_TTL_MS = 60_000;

function tokenFromFile(path: string): () => string {
  let cached = '';
  let readAt = -Infinity;
  return () => {
    const now = Date.now();
    if (now - readAt > TOKEN_FILE_TTL_MS) {
      cached = readFileSync(path, 'utf8').trim();
      readAt = now;
    }
    return cached;
  };
}

/** In cluster: the env the kubelet sets and the mounted ServiceAccount files. */
export function inClusterCredentials(env: Readonly<Record<string, string | undefined>> = process.env): KubeCredentials {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new GateError('config-invalid', 'no Kubernetes API server: not running in a cluster (KUBERNETES_SERVICE_HOST unset) and GATE_KUBECONFIG not set');
  }
  const token = tokenFromFile(join(SA_DIR, 'token'));
  try {
    token();
    return { server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, ca: readFileSync(join(SA_DIR, 'ca.crt')), token };
  } catch (e) {
    throw new GateError('config-invalid', `in-cluster ServiceAccount files unreadable under ${SA_DIR}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}
type Obj = Record<string, unknown>;

/** The current context of a kubeconfig file (YAML or JSON). */
export function kubeconfigCredentials(path: string): KubeCredentials {
  let doc: Obj;
  try {
    doc = parse(readFileSync(path, 'utf8')) as Obj;
  } catch (e) {
    throw new GateError('config-invalid', `GATE_KUBECONFIG: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const base = dirname(path);
  const find = (list: unknown, name: unknown, what: string): Obj => {
    const hit = (Array.isArray(list) ? (list as Named<Obj>[]) : []).find((x) => x.name === name);
    const body = hit?.[what];
    if (!body || typeof body !== 'object') throw new GateError('config-invalid', `GATE_KUBECONFIG ${path}: no ${what} named ${String(name)}`);
    return body as Obj;
  };
  const ctx = find(doc.contexts, doc['current-context'], 'context');
  const cluster = find(doc.clusters, ctx.cluster, 'cluster');
  const user = ctx.user === undefined ? {} : find(doc.users, ctx.user, 'user');
  const str = (o: Obj, k: string): string | undefined => (typeof o[k] === 'string' && o[k] !== '' ? o[k] : undefined);
  const material = (o: Obj, dataKey: string, fileKey: string): Buffer | undefined => {
    const data = str(o, dataKey);
    if (data) return Buffer.from(data, 'base64');
    const file = str(o, fileKey);
    return file ? readFileSync(isAbsolute(file) ? file : join(base, file)) : undefined;
  };
  if (user.exec || user['auth-provider']) {
    throw new GateError('config-invalid', `GATE_KUBECONFIG ${path}: exec / auth-provider credentials are not supported; use a token, token file or client certificate`);
  }
  const server = str(cluster, 'server');
  if (!server) throw new GateError('config-invalid', `GATE_KUBECONFIG ${path}: cluster has no server`);
  const token = str(user, 'token');
  const tokenFile = str(user, 'tokenFile');
  const ca = material(cluster, 'certificate-authority-data', 'certificate-authority');
  const cert = material(user, 'client-certificate-data', 'client-certificate');
  const key = material(user, 'client-key-data', 'client-key');
  const tlsServerName = str(cluster, 'tls-server-name');
  return {
    server,
    ...(ca ? { ca } : {}),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
    ...(tlsServerName ? { tlsServerName } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(token ? { token: () => token } : tokenFile ? { token: tokenFromFile(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile)) } : {}),
  };
}
