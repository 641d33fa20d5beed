// A throwaway Kubernetes control plane for end-to-end tests, envtest-style:
// a real etcd and a real kube-apiserver on random 127.0.0.1 ports, no
// controller-manager, no scheduler, no nodes. Enough for admission webhooks,
// RBAC, CRDs, ServiceAccount tokens and ConfigMaps; Pods are never scheduled
// and Deployments never get ReplicaSets.
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunOptions, type RunResult } from './exec.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createCa, createSigningKey, issueCert, type CertFiles } from './pki.js';
import { freePort } from './ports.js';
import { startTethered, type ServerProcess } from './procs.js';
import { claim, sweepStale } from './sweep.js';
import { ensureTools, type Tools } from './tools.js';
import { probe, waitFor } from './wait.js';

export interface ControlPlaneOptions {
  /** Keep the temp dir (certs, kubeconfigs, server logs) after stop(). Env: MIGRATION_GATE_E2E_KEEP=1. */
  keep?: boolean;
  /** Appended to the kube-apiserver command line (later flags win). */
  apiserverArgs?: string[];
  /** ms to wait for /readyz (default 120 s; a cold page cache makes the first start slow). */
  readyTimeoutMs?: number;
  /**
   * Address kube-apiserver binds and advertises (default 127.0.0.1). A real
   * node's pods cannot reach loopback: node.ts passes the pod bridge's address.
   */
  bindAddress?: string;
  /**
   * Keep the ServiceAccount admission plugin (default off: nothing creates the
   * `default` ServiceAccounts without a controller-manager, so it would reject
   * every Pod). A cluster with a controller-manager turns it on.
   */
  serviceAccountAdmission?: boolean;
  /** Present the admin client cert to kubelets (kubectl logs/exec on a real node). */
  kubeletClientCert?: boolean;
}

export interface CommandOptions extends Pick<RunOptions, 'input' | 'timeoutMs'> {
  /** Defaults to the admin (system:masters) kubeconfig. */
  kubeconfig?: string;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin kubeconfig (client cert in group system:masters). */
  kubeconfigPath: string;
  /** CA that signed the apiserver serving cert and the admin client cert. */
  caPem: string;
  ca: CertFiles;
  /** The admin client cert (system:masters); the node's components reuse it. */
  admin: CertFiles;
  /** Private key the ServiceAccount tokens are signed with (controller-manager). */
  saSigningKeyPath: string;
  /** Scratch dir, removed by stop() (unless keep). */
  dir: string;
  /** kube-apiserver's --secure-port and bind address. */
  port: number;
  bindAddress: string;
  tools: Tools;
  kubectl(args: string[], opts?: CommandOptions): Promise<RunResult>;
  helm(args: string[], opts?: CommandOptions): Promise<RunResult>;
  /** Creates the ServiceAccount if needed and returns a kubeconfig holding a TokenRequest token for it. */
  mintServiceAccountKubeconfig(
    namespace: string,
    serviceAccount: string,
    opts?: { duration?: string },
  ): Promise<string>;
  stop(): Promise<void>;
}

const APISERVER_HOSTS = [
  '127.0.0.1',
  'localhost',
  '10.0.0.1',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const keep = opts.keep ?? process.env.MIGRATION_GATE_E2E_KEEP === '1';
  const bindAddress = opts.bindAddress ?? '127.0.0.1';
  const tools = await ensureTools();
  sweepStale(tmpdir(), 'migration-gate-e2e-');
  const dir = await mkdtemp(join(tmpdir(), 'migration-gate-e2e-'));
  if (!keep) claim(dir); // kept dirs are for a human to read: never swept
  // etcd fsyncs on every write; on tmpfs that costs nothing.
  const dataRoot = existsSync('/dev/shm')
    ? await mkdtemp('/dev/shm/migration-gate-e2e-etcd-').catch(() => dir)
    : dir;
  const servers: ServerProcess[] = [];
  // Normal exit without stop() (a failing before() hook): still no litter.
  // The servers themselves are tethered (see procs.ts); etcd's wrapper
  // removes the data dir.
  const onExit = () => keep || rmSync(dir, { recursive: true, force: true });
  process.once('exit', onExit);
  const cleanup = async () => {
    process.removeListener('exit', onExit);
    // apiserver first: it would otherwise log etcd connection errors while dying.
    for (const s of [...servers].reverse()) await s.stop();
    if (dataRoot !== dir) await rm(dataRoot, { recursive: true, force: true });
    if (!keep) await rm(dir, { recursive: true, force: true });
  };

  try {
    const pki = await makePki(dir, bindAddress);
    const etcdUrl = await retryPorts(() =>
      startEtcd(
        tools,
        dir,
        join(dataRoot, 'etcd'),
        dataRoot === dir ? join(dataRoot, 'etcd') : dataRoot,
        servers,
      ),
    );
    const port = await retryPorts(() => startApiserver(tools, dir, pki, etcdUrl, servers, opts, bindAddress));
    const server = `https://${bindAddress}:${port}`;
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(
      kubeconfigPath,
      server,
      pki.ca.certPem,
      {
        clientCertPem: pki.admin.certPem,
        clientKeyPem: pki.admin.keyPem,
      },
      'admin',
    );

    // Per-cluster homes: no discovery cache or helm repo state leaks between
    // runs (a later cluster may reuse the same port) or into the user's home.
    const env = (kubeconfig: string): NodeJS.ProcessEnv => ({
      ...process.env,
      KUBECONFIG: kubeconfig,
      KUBECACHEDIR: join(dir, 'kube-cache'),
      HELM_CACHE_HOME: join(dir, 'helm', 'cache'),
      HELM_CONFIG_HOME: join(dir, 'helm', 'config'),
      HELM_DATA_HOME: join(dir, 'helm', 'data'),
    });
    const kubectl = (args: string[], o: CommandOptions = {}) =>
      run(tools.kubectl, args, { ...o, env: env(o.kubeconfig ?? kubeconfigPath) });
    const helm = (args: string[], o: CommandOptions = {}) =>
      run(tools.helm, args, { ...o, env: env(o.kubeconfig ?? kubeconfigPath) });

    const mintServiceAccountKubeconfig = async (ns: string, sa: string, o: { duration?: string } = {}) => {
      const created = await kubectl(['create', 'serviceaccount', sa, '-n', ns]);
      if (created.code !== 0 && !/AlreadyExists|already exists/.test(created.stderr)) {
        throw new Error(`create serviceaccount ${ns}/${sa}: ${created.stderr}`);
      }
      // TokenRequest API: a bound, expiring token; no Secret-based tokens
      // exist here anyway (that needs the controller-manager).
      const tok = await kubectl(['create', 'token', sa, '-n', ns, `--duration=${o.duration ?? '1h'}`]);
      if (tok.code !== 0) throw new Error(`create token ${ns}/${sa}: ${tok.stderr}`);
      const path = join(dir, `sa-${ns}-${sa}.kubeconfig`);
      await writeKubeconfig(path, server, pki.ca.certPem, { token: tok.stdout.trim() }, `${ns}-${sa}`);
      return path;
    };

    let stopped: Promise<void> | undefined;
    return {
      server,
      kubeconfigPath,
      caPem: pki.ca.certPem,
      ca: pki.ca,
      admin: pki.admin,
      saSigningKeyPath: pki.sa.keyPath,
      dir,
      port,
      bindAddress,
      tools,
      kubectl,
      helm,
      mintServiceAccountKubeconfig,
      stop: () => (stopped ??= cleanup()),
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

interface Pki {
  ca: CertFiles;
  serving: CertFiles;
  admin: CertFiles;
  sa: { keyPath: string; pubPath: string };
}

async function makePki(dir: string, bindAddress: string): Promise<Pki> {
  const pkiDir = join(dir, 'pki');
  await mkdir(pkiDir);
  const ca = await createCa(pkiDir, 'ca');
  const [serving, admin, sa] = await Promise.all([
    issueCert(pkiDir, ca, {
      name: 'apiserver',
      cn: 'kube-apiserver',
      hosts: [...new Set([...APISERVER_HOSTS, bindAddress])],
      usage: 'server',
    }),
    issueCert(pkiDir, ca, {
      name: 'admin',
      cn: 'migration-gate-e2e-admin',
      org: 'system:masters',
      usage: 'client',
    }),
    createSigningKey(pkiDir, 'sa'),
  ]);
  return { ca, serving, admin, sa };
}

/** Error from a server that could not bind its port: worth retrying on others. */
class PortInUse extends Error {}

async function retryPorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (e) {
      if (!(e instanceof PortInUse) || i >= attempts) throw e;
    }
  }
}

async function failWithLog(s: ServerProcess, e: unknown): Promise<never> {
  await s.stop();
  const log = await s.logTail();
  const msg = `${s.name} did not start (${e instanceof Error ? e.message : String(e)}); log ${s.logPath}:\n${log}`;
  throw /address already in use/.test(log) ? new PortInUse(msg) : new Error(msg);
}

async function startEtcd(
  tools: Tools,
  dir: string,
  dataDir: string,
  rmDir: string,
  servers: ServerProcess[],
): Promise<string> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const etcd = startTethered({
    name: 'etcd',
    cmd: tools.etcd,
    logPath: join(dir, 'etcd.log'),
    rmDirs: [rmDir],
    args: [
      '--name=e2e',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=e2e=${peer}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      '--log-level=warn',
    ],
  });
  servers.push(etcd);
  try {
    await waitFor(
      'etcd /health',
      async () => (await probe(`${client}/health`)).body.includes('"true"'),
      30_000,
      etcd.exited,
    );
  } catch (e) {
    servers.pop();
    return failWithLog(etcd, e);
  }
  return client;
}

async function startApiserver(
  tools: Tools,
  dir: string,
  pki: Pki,
  etcdUrl: string,
  servers: ServerProcess[],
  opts: ControlPlaneOptions,
  bindAddress: string,
): Promise<number> {
  const port = await freePort(bindAddress);
  const apiserver = startTethered({
    name: 'kube-apiserver',
    cmd: tools.kubeApiserver,
    logPath: join(dir, 'kube-apiserver.log'),
    args: [
      `--etcd-servers=${etcdUrl}`,
      `--bind-address=${bindAddress}`,
      `--advertise-address=${bindAddress}`,
      `--secure-port=${port}`,
      `--cert-dir=${join(dir, 'apiserver-certs')}`, // default is /var/run/kubernetes
      `--tls-cert-file=${pki.serving.certPath}`,
      `--tls-private-key-file=${pki.serving.keyPath}`,
      `--client-ca-file=${pki.ca.certPath}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.sa.pubPath}`,
      `--service-account-signing-key-file=${pki.sa.keyPath}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      // ServiceAccount admission would reject every Pod when nothing creates
      // the `default` ServiceAccounts (no controller-manager).
      ...(opts.serviceAccountAdmission ? [] : ['--disable-admission-plugins=ServiceAccount']),
      ...(opts.kubeletClientCert
        ? [`--kubelet-client-certificate=${pki.admin.certPath}`, `--kubelet-client-key=${pki.admin.keyPath}`]
        : []),
      '--allow-privileged=true',
      '--profiling=false',
      // The kubernetes Service's Endpoints may not point at loopback: without
      // this, a reconciler logs a validation error every 10 s.
      '--endpoint-reconciler-type=none',
      ...(opts.apiserverArgs ?? []),
    ],
  });
  servers.push(apiserver);
  const tls = { ca: pki.ca.certPem, cert: pki.admin.certPem, key: pki.admin.keyPem };
  try {
    await waitFor(
      'kube-apiserver /readyz',
      async () => (await probe(`https://${bindAddress}:${port}/readyz`, tls)).status === 200,
      opts.readyTimeoutMs ?? 120_000,
      apiserver.exited,
    );
  } catch (e) {
    servers.pop();
    return failWithLog(apiserver, e);
  }
  return port;
}
