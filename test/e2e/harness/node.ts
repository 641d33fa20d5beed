// A one-node Kubernetes cluster that runs real pods, without Docker:
// etcd + kube-apiserver (control-plane.ts) plus containerd + runc, kubelet,
// kube-controller-manager and kube-scheduler, all of one Kubernetes release
// (scripts/ensure-tools.sh). Pod network: Debian's CNI bridge + host-local on
// a private /24; kube-proxy (iptables mode) routes ClusterIPs, including the
// `kubernetes` Service to the apiserver on the bridge address; cluster DNS
// for Service names is cluster-dns.ts. The apiserver dials webhook Services'
// endpoints itself (--enable-aggregator-routing), as it would without
// kube-proxy on the control-plane host.
//
// Machine-wide changes are recorded first and undone by stop()
// (node-host.ts); one node per machine (machine-lock.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startClusterDns, type ClusterDns } from './cluster-dns.js';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
import { run, runOk, type RunResult } from './exec.js';
import { writeKubeconfig } from './kubeconfig.js';
import { acquireMachineLock } from './machine-lock.js';
import { issueCert } from './pki.js';
import { freePort } from './ports.js';
import { startTethered, type ServerProcess } from './procs.js';
import { OWN_CHAIN_PREFIX, recordHost, replayStaleState, teardownHost, type HostState } from './node-host.js';
import { waitFor } from './wait.js';

export const NODE_NAME = 'mge2e-node';
export const BRIDGE = 'mge2e0';
export const POD_SUBNET = '10.213.7.0/24';
/** The bridge's own address: the pods' gateway, and where kube-apiserver listens. */
export const NODE_IP = '10.213.7.1';
/** Fixed: one node per machine (the lock), and short enough for unix socket paths. */
export const NODE_ROOT = '/var/lib/migration-gate-e2e-node';

export interface PodCluster extends ControlPlane {
  containerdSocket: string;
  /** `ctr` against this node's containerd, namespace k8s.io (the CRI's). */
  ctr(args: string[]): Promise<RunResult>;
  /** Imports an OCI/Docker archive so that pods can use it with imagePullPolicy IfNotPresent. */
  importImage(tarPath: string): Promise<void>;
  /** Env for running README commands literally: KUBECONFIG, CONTAINERD_ADDRESS, ... */
  env(): NodeJS.ProcessEnv;
  /** Component logs (kubelet, containerd, ...) for failure messages. */
  logTails(lines?: number): Promise<string>;
}

export interface PodClusterOptions {
  controlPlane?: ControlPlaneOptions;
}

export async function startPodCluster(opts: PodClusterOptions = {}): Promise<PodCluster> {
  const lock = await acquireMachineLock();
  let state: HostState | undefined;
  let cp: ControlPlane | undefined;
  let dns: ClusterDns | undefined;
  const servers: ServerProcess[] = [];
  const teardown = async () => {
    // Pods first, while kubelet still runs: it stops their sandboxes, and the
    // CRI removes their netns and mounts. Controllers stopped before, so
    // nothing recreates them.
    if (cp && servers.some((s) => s.name === 'kubelet' && s.running())) {
      for (const s of servers.filter((x) => x.name !== 'kubelet' && x.name !== 'containerd')) await s.stop();
      await cp.kubectl(
        ['delete', 'pods', '--all', '--all-namespaces', '--grace-period=1', '--wait=true', '--timeout=60s'],
        { timeoutMs: 90_000 },
      );
    }
    for (const s of [...servers].reverse()) await s.stop();
    await dns?.close();
    await cp?.stop();
    if (state) {
      const did = await teardownHost(state);
      if (process.env.MIGRATION_GATE_E2E_DEBUG === '1')
        process.stderr.write(`[node] teardown: ${did.join('; ')}\n`);
    }
    lock.release();
  };
  try {
    await replayStaleState();
    const sock = join(NODE_ROOT, 'containerd.sock');
    state = recordHost({ roots: [NODE_ROOT], bridge: BRIDGE, containerdSocket: sock });
    await setupNetwork();
    cp = await startControlPlane({
      ...opts.controlPlane,
      bindAddress: NODE_IP,
      serviceAccountAdmission: true,
      kubeletClientCert: true,
      apiserverArgs: [
        // No kube-proxy: webhook Services are dialled at their endpoints.
        '--enable-aggregator-routing=true',
        // kubectl logs/exec go apiserver -> kubelet.
        '--kubelet-preferred-address-types=InternalIP',
        // The `kubernetes` Service's endpoint is the bridge address: kube-proxy routes pods there.
        '--endpoint-reconciler-type=lease',
        ...(opts.controlPlane?.apiserverArgs ?? []),
      ],
    });
    const c = cp;
    dns = await startClusterDns(
      { server: c.server, caPem: c.caPem, certPem: c.admin.certPem, keyPem: c.admin.keyPem },
      NODE_IP,
    );

    await mkdir(join(NODE_ROOT, 'cni', 'net.d'), { recursive: true });
    await writeFile(
      join(NODE_ROOT, 'cni', 'net.d', '10-mge2e.conflist'),
      JSON.stringify(cniConfig(), null, 2),
    );
    await writeFile(
      join(NODE_ROOT, 'containerd.toml'),
      containerdConfig(sock, c.tools.pauseImageRef, c.tools.cniBinDir),
    );
    const containerd = startTethered({
      name: 'containerd',
      cmd: c.tools.containerd,
      logPath: join(c.dir, 'containerd.log'),
      args: ['--config', join(NODE_ROOT, 'containerd.toml'), '--log-level', 'warn'],
    });
    servers.push(containerd);
    const ctr = (args: string[]) =>
      run(c.tools.ctr, ['-a', sock, '-n', 'k8s.io', ...args], { timeoutMs: 300_000 });
    await waitFor(
      'containerd',
      async () => existsSync(sock) && (await ctr(['version'])).code === 0,
      60_000,
      containerd.exited,
    );
    await runOk(c.tools.ctr, ['-a', sock, '-n', 'k8s.io', 'images', 'import', c.tools.pauseImageTar], {
      timeoutMs: 120_000,
    });

    const kubeletKc = await kubeletKubeconfig(c);
    const kubeletCfg = join(NODE_ROOT, 'kubelet-config.json');
    await writeFile(kubeletCfg, JSON.stringify(kubeletConfig(c, sock, await freePort(NODE_IP)), null, 2));
    servers.push(
      startTethered({
        name: 'kubelet',
        cmd: c.tools.kubelet,
        logPath: join(c.dir, 'kubelet.log'),
        args: [
          `--config=${kubeletCfg}`,
          `--kubeconfig=${kubeletKc}`,
          `--root-dir=${join(NODE_ROOT, 'kubelet')}`,
          `--cert-dir=${join(NODE_ROOT, 'kubelet', 'pki')}`,
          `--hostname-override=${NODE_NAME}`,
          `--node-ip=${NODE_IP}`,
          '--v=1',
        ],
      }),
    );
    servers.push(
      startTethered({
        name: 'kube-controller-manager',
        cmd: c.tools.kubeControllerManager,
        logPath: join(c.dir, 'kube-controller-manager.log'),
        args: [
          `--kubeconfig=${c.kubeconfigPath}`,
          `--authentication-kubeconfig=${c.kubeconfigPath}`,
          `--authorization-kubeconfig=${c.kubeconfigPath}`,
          `--service-account-private-key-file=${c.saSigningKeyPath}`,
          `--root-ca-file=${c.ca.certPath}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${await freePort()}`,
          // Quick reaction to a drained or restarted node in tests.
          '--node-monitor-grace-period=20s',
          '--v=1',
        ],
      }),
    );
    servers.push(
      startTethered({
        name: 'kube-proxy',
        cmd: c.tools.kubeProxy,
        logPath: join(c.dir, 'kube-proxy.log'),
        args: [
          `--kubeconfig=${c.kubeconfigPath}`,
          `--hostname-override=${NODE_NAME}`,
          '--proxy-mode=iptables',
          `--cluster-cidr=${POD_SUBNET}`,
          // Leave the machine's conntrack and localnet sysctls alone.
          '--conntrack-max-per-core=0',
          '--conntrack-tcp-timeout-established=0',
          '--conntrack-tcp-timeout-close-wait=0',
          '--iptables-localhost-nodeports=false',
          `--metrics-bind-address=127.0.0.1:${await freePort()}`,
          `--healthz-bind-address=127.0.0.1:${await freePort()}`,
          '--v=1',
        ],
      }),
    );
    servers.push(
      startTethered({
        name: 'kube-scheduler',
        cmd: c.tools.kubeScheduler,
        logPath: join(c.dir, 'kube-scheduler.log'),
        args: [
          `--kubeconfig=${c.kubeconfigPath}`,
          `--authentication-kubeconfig=${c.kubeconfigPath}`,
          `--authorization-kubeconfig=${c.kubeconfigPath}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${await freePort()}`,
          '--v=1',
        ],
      }),
    );

    const logTails = async (lines = 30) => {
      const parts = await Promise.all(
        servers.map(async (s) => `--- ${s.name} (${s.logPath}) ---\n${await s.logTail(lines)}`),
      );
      return parts.join('\n');
    };
    const dead = Promise.race(servers.map((s) => s.exited.then(() => s.name)));
    try {
      await waitFor(
        `node ${NODE_NAME} Ready`,
        async () => {
          const r = await c.kubectl([
            'get',
            'node',
            NODE_NAME,
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.taints}',
          ]);
          return r.code === 0 && r.stdout.startsWith('True ') && !r.stdout.includes('not-ready');
        },
        180_000,
        dead,
      );
      await waitFor(
        'ServiceAccount default/default',
        async () => (await c.kubectl(['get', 'serviceaccount', 'default', '-n', 'default'])).code === 0,
        60_000,
        dead,
      );
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}\n${await logTails()}`, { cause: e });
    }

    let stopped: Promise<void> | undefined;
    return {
      ...c,
      containerdSocket: sock,
      ctr,
      importImage: async (tar: string) => {
        await runOk(c.tools.ctr, ['-a', sock, '-n', 'k8s.io', 'images', 'import', tar], {
          timeoutMs: 300_000,
        });
      },
      env: () => ({
        ...process.env,
        KUBECONFIG: c.kubeconfigPath,
        CONTAINERD_ADDRESS: sock,
        CONTAINERD_NAMESPACE: 'k8s.io',
        PATH: `${join(c.tools.kubectl, '..')}:${join(c.tools.helm, '..')}:${process.env.PATH ?? ''}`,
        KUBECACHEDIR: join(c.dir, 'kube-cache'),
        HELM_CACHE_HOME: join(c.dir, 'helm', 'cache'),
        HELM_CONFIG_HOME: join(c.dir, 'helm', 'config'),
        HELM_DATA_HOME: join(c.dir, 'helm', 'data'),
      }),
      logTails,
      stop: () => (stopped ??= teardown()),
    };
  } catch (e) {
    await teardown();
    throw e;
  }
}

async function iptables(table: string, args: string[]): Promise<void> {
  await runOk('iptables', ['-w', '-t', table, ...args]);
}

/** The bridge exists before the apiserver binds its address; the CNI plugin adopts it. */
async function setupNetwork(): Promise<void> {
  await runOk('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await runOk('ip', ['addr', 'add', `${NODE_IP}/24`, 'dev', BRIDGE]);
  await runOk('ip', ['link', 'set', BRIDGE, 'up']);
  // The apiserver's address is local, so Linux would accept it on any
  // interface: only the pods' bridge and loopback may reach it.
  const input = `${OWN_CHAIN_PREFIX}INPUT`;
  await iptables('filter', ['-N', input]);
  await iptables('filter', ['-A', input, '-i', BRIDGE, '-j', 'RETURN']);
  await iptables('filter', ['-A', input, '-i', 'lo', '-j', 'RETURN']);
  await iptables('filter', ['-A', input, '-d', `${NODE_IP}/32`, '-j', 'DROP']);
  await iptables('filter', ['-I', 'INPUT', '-j', input]);
}

function cniConfig(): object {
  return {
    cniVersion: '1.0.0',
    name: 'mge2e',
    plugins: [
      {
        type: 'bridge',
        bridge: BRIDGE,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: join(NODE_ROOT, 'cni', 'ipam'),
          ranges: [[{ subnet: POD_SUBNET, gateway: NODE_IP }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'loopback' },
    ],
  };
}

function containerdConfig(sock: string, pauseRef: string, cniBinDir: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${join(NODE_ROOT, 'containerd', 'root')}"
state = "${join(NODE_ROOT, 'containerd', 'state')}"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "${sock}"
[ttrpc]
  address = "${sock}.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "${join(NODE_ROOT, 'containerd', 'opt')}"
[${cri}]
  sandbox_image = "${pauseRef}"
  # This VM withholds CAP_SYS_RESOURCE: without it no container starts
  # (kubelet asks for oom_score_adj -998 on the sandbox).
  restrict_oom_score_adj = true
  enable_selinux = false
[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
[${cri}.cni]
  bin_dir = "${cniBinDir}"
  conf_dir = "${join(NODE_ROOT, 'cni', 'net.d')}"
`;
}

function kubeletConfig(c: ControlPlane, sock: string, port: number): object {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // This host runs cgroup v1; kubelet 1.35 refuses it unless told.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${sock}`,
    address: NODE_IP,
    port,
    readOnlyPort: 0,
    healthzPort: 0,
    authentication: {
      x509: { clientCAFile: c.ca.certPath },
      webhook: { enabled: true },
      anonymous: { enabled: false },
    },
    authorization: { mode: 'Webhook' },
    podLogsDir: join(NODE_ROOT, 'pod-logs'),
    volumePluginDir: join(NODE_ROOT, 'volume-plugins'),
    // No disk or memory pressure evictions on a shared test VM; no image GC.
    evictionHard: {},
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    localStorageCapacityIsolation: false,
    resolvConf: '/etc/resolv.conf',
    clusterDomain: 'cluster.local',
    clusterDNS: [NODE_IP],
    // Pods are deleted promptly in tests: status reported often.
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
    serializeImagePulls: false,
  };
}

async function kubeletKubeconfig(c: ControlPlane): Promise<string> {
  // The Node authorizer knows a kubelet by this exact identity.
  const cert = await issueCert(join(c.dir, 'pki'), c.ca, {
    name: 'kubelet-client',
    cn: `system:node:${NODE_NAME}`,
    org: 'system:nodes',
    usage: 'client',
  });
  const path = join(NODE_ROOT, 'kubelet.kubeconfig');
  await writeKubeconfig(
    path,
    c.server,
    c.caPem,
    { clientCertPem: cert.certPem, clientKeyPem: cert.keyPem },
    'kubelet',
  );
  return path;
}
