// The e2e node itself: a Kubernetes release the project supports, pods that
// really run (containerd + runc + CNI bridge), ServiceAccounts, Deployments,
// Services routed by kube-proxy, and a teardown that leaves the machine as it
// found it: no processes, mounts, network namespaces, bridge, iptables
// chains, cgroups or changed sysctls.
//
//   npm run e2e:tools && npx mocha --no-config --node-option import=tsx --timeout 600000 test/e2e/node.e2e.test.ts
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { run } from './harness/exec.js';
import { acquireMachineLock } from './harness/machine-lock.js';
import { BRIDGE, NODE_NAME, NODE_ROOT, startPodCluster, type PodCluster } from './harness/node.js';
import {
  STATE_FILE,
  listCgroups,
  listChains,
  ownMounts,
  ownProcesses,
  replayStaleState,
} from './harness/node-host.js';
import { REPO_ROOT } from './support/local-gate.js';

const NS = 'e2e-node';
const SYSCTLS = ['net/ipv4/ip_forward', 'vm/overcommit_memory', 'kernel/panic', 'kernel/panic_on_oops'];
const readSysctls = () =>
  Object.fromEntries(SYSCTLS.map((k) => [k, readFileSync(`/proc/sys/${k}`, 'utf8').trim()]));
const netns = () => (existsSync('/run/netns') ? readdirSync('/run/netns') : []);

describe('e2e node (containerd + kubelet + controller-manager + scheduler + kube-proxy)', function () {
  this.timeout(600_000);
  let cl: PodCluster;
  let sysctlsBefore: Record<string, string>;
  let netnsBefore: string[];

  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await cl.kubectl(args, input === undefined ? {} : { input });
    expect(r.code, `kubectl ${args.join(' ')}: ${r.stderr}`).to.equal(0);
    return r.stdout;
  };

  before(async () => {
    // A run killed before its teardown (its state file) is undone first, so the
    // baseline is the machine's own state, not the sysctls that run had set
    // (as startPodCluster does, under the machine lock).
    const lock = await acquireMachineLock();
    try {
      await replayStaleState();
    } finally {
      lock.release();
    }
    sysctlsBefore = readSysctls();
    netnsBefore = netns();
    cl = await startPodCluster();
  });

  after(async () => {
    await cl?.stop();
  });

  it('runs a supported Kubernetes minor (1.35+) everywhere: apiserver, kubelet, kubectl', async () => {
    const v = JSON.parse(await ok(['version', '-o', 'json'])) as {
      clientVersion: { minor: string };
      serverVersion: { minor: string; gitVersion: string };
    };
    expect(Number(v.serverVersion.minor)).to.be.at.least(35);
    expect(Number(v.clientVersion.minor)).to.be.at.least(35);
    const kubelet = (
      await ok(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.nodeInfo.kubeletVersion}'])
    ).trim();
    expect(kubelet).to.equal(v.serverVersion.gitVersion);
  });

  it("schedules and runs a Deployment's pods with a Secret volume and a ServiceAccount token, behind a Service", async () => {
    await ok(['create', 'namespace', NS]);
    await ok(['create', 'secret', 'generic', 'vol', '-n', NS, '--from-literal=k=v']);
    await ok(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'sleeper', namespace: NS },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'sleeper' } },
          template: {
            metadata: { labels: { app: 'sleeper' } },
            spec: {
              terminationGracePeriodSeconds: 2,
              containers: [
                {
                  name: 'pause',
                  image: cl.tools.pauseImageRef,
                  imagePullPolicy: 'IfNotPresent',
                  ports: [{ containerPort: 8080 }],
                  volumeMounts: [
                    { name: 'vol', mountPath: '/vol' },
                    { name: 'scratch', mountPath: '/scratch' },
                  ],
                },
              ],
              volumes: [
                { name: 'vol', secret: { secretName: 'vol' } },
                { name: 'scratch', emptyDir: {} },
              ],
            },
          },
        },
      }),
    );
    await ok(['expose', 'deployment', 'sleeper', '-n', NS, '--port=80', '--target-port=8080']);
    const st = await cl.kubectl(['rollout', 'status', 'deployment/sleeper', '-n', NS, '--timeout=180s']);
    expect(st.code, `${st.stderr}\n${await cl.logTails(20)}`).to.equal(0);
    const ips = (await ok(['get', 'pods', '-n', NS, '-o', 'jsonpath={.items[*].status.podIP}']))
      .trim()
      .split(' ');
    expect(ips).to.have.length(2);
    for (const ip of ips) expect(ip).to.match(/^10\.213\.7\.\d+$/);
    // The Service got both endpoints, and kube-proxy wrote its rules for the ClusterIP.
    const eps = (
      await ok([
        'get',
        'endpointslices',
        '-n',
        NS,
        '-l',
        'kubernetes.io/service-name=sleeper',
        '-o',
        'jsonpath={.items[*].endpoints[*].addresses[0]}',
      ])
    )
      .trim()
      .split(' ');
    expect(eps.sort()).to.deep.equal([...ips].sort());
    const clusterIp = (
      await ok(['get', 'service', 'sleeper', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    let rules = '';
    for (let i = 0; i < 40 && !rules.includes(clusterIp); i++) {
      rules = (await run('iptables', ['-w', '-t', 'nat', '-S', 'KUBE-SERVICES'])).stdout;
      if (!rules.includes(clusterIp)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(rules).to.include(`${clusterIp}/32`);
    // Pods got their mounts and network namespaces from the CRI.
    expect(ownMounts([NODE_ROOT]).length).to.be.greaterThan(0);
    expect(netns().filter((n) => !netnsBefore.includes(n)).length).to.be.at.least(2);
  });

  async function expectNothingLeft(socket: string): Promise<void> {
    expect(ownProcesses({ containerdSocket: socket, roots: [NODE_ROOT] }), 'processes').to.deep.equal([]);
    expect(ownMounts([NODE_ROOT]), 'mounts').to.deep.equal([]);
    expect(
      netns().filter((n) => !netnsBefore.includes(n)),
      'network namespaces',
    ).to.deep.equal([]);
    expect((await run('ip', ['link', 'show', BRIDGE])).code, `bridge ${BRIDGE}`).to.not.equal(0);
    expect((await run('ip', ['-o', 'link', 'show', 'type', 'veth'])).stdout.trim(), 'veth pairs').to.equal(
      '',
    );
    for (const bin of ['iptables', 'ip6tables'])
      expect(await listChains(bin), `${bin} chains`).to.deep.equal([]);
    expect(listCgroups(), 'kubepods cgroups').to.deep.equal([]);
    expect(readSysctls()).to.deep.equal(sysctlsBefore);
    expect(existsSync(NODE_ROOT), NODE_ROOT).to.equal(false);
    expect(existsSync(STATE_FILE), STATE_FILE).to.equal(false);
  }

  it('stop() leaves nothing behind: processes, mounts, netns, bridge, iptables chains, cgroups, sysctls', async () => {
    const socket = cl.containerdSocket;
    await cl.stop();
    await expectNothingLeft(socket);
  });

  it('a test process SIGKILLed with pods running: the next start undoes what it left', async () => {
    // The child starts a node and a pod, says READY, and is killed: its
    // servers die with it (tethered), its shims, pods, mounts, bridge and
    // chains stay, and so does its state file.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
      const { startPodCluster } = await import('./test/e2e/harness/node.ts');
      const cl = await startPodCluster();
      const pod = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'left', namespace: 'default' },
        spec: { containers: [{ name: 'p', image: cl.tools.pauseImageRef, imagePullPolicy: 'IfNotPresent' }] } });
      let r = await cl.kubectl(['apply', '-f', '-'], { input: pod });
      if (r.code) throw new Error(r.stderr);
      r = await cl.kubectl(['wait', '--for=condition=Ready', 'pod/left', '--timeout=120s']);
      if (r.code) throw new Error(r.stderr);
      console.log('READY ' + cl.containerdSocket);
      setInterval(() => {}, 1000);
    `,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const socket = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /READY (\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.on('exit', (code) =>
        reject(new Error(`child exited ${code} before READY:\n${err.slice(-3000)}`)),
      );
    });
    expect(
      ownProcesses({ containerdSocket: socket, roots: [NODE_ROOT] }).length,
      'the pod runs',
    ).to.be.greaterThan(0);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(STATE_FILE), 'a killed run leaves its state file').to.equal(true);
    // What startPodCluster does first, under the same lock.
    const lock = await acquireMachineLock();
    try {
      await replayStaleState();
    } finally {
      lock.release();
    }
    await expectNothingLeft(socket);
  });
});
