// What a real node does to the machine, and how to undo it. kubelet,
// containerd and the CNI bridge plugin change machine-wide state: a bridge,
// veth pairs and network namespaces (/run/netns/cni-*), mounts (overlay
// rootfs, shm, tmpfs Secret volumes), iptables chains (kubelet's KUBE-*),
// cgroups (/sys/fs/cgroup/<controller>/kubepods), sysctls (kubelet sets
// vm.overcommit_memory, kernel.panic, ...; the bridge plugin ip_forward), and
// processes that outlive containerd (its shims and the containers).
//
// Everything is recorded before the node starts in a state file; teardown()
// undoes it, and the next node start replays a state file a killed run left
// behind (under the machine lock, so nobody else's node is running).
import { existsSync, readFileSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.js';

export const STATE_FILE = '/run/migration-gate-e2e-node.state.json';

/** kubelet's setupKernelTunables sets these unless protectKernelDefaults; the bridge plugin sets ip_forward. */
const SYSCTLS = [
  'net.ipv4.ip_forward',
  'vm.overcommit_memory',
  'vm.panic_on_oom',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
  // kube-proxy: told to leave these alone, restored all the same.
  'net.ipv4.conf.all.route_localnet',
  'net.netfilter.nf_conntrack_max',
  'net.bridge.bridge-nf-call-iptables',
];
/** Chains the harness itself adds (apiserver DNAT, outside-interface drop). */
export const OWN_CHAIN_PREFIX = 'MGE2E-';
const CGROUP_ROOT = '/sys/fs/cgroup';

export interface HostState {
  /** Directories the node's components own (containerd root/state, kubelet root, ...). */
  roots: string[];
  bridge: string;
  sysctls: Record<string, string>;
  netnsBefore: string[];
  /** The containerd socket: its shims carry `-address <socket>` on their command line. */
  containerdSocket: string;
}

const sysctlPath = (k: string) => join('/proc/sys', ...k.split('.'));

export function recordHost(s: Omit<HostState, 'sysctls' | 'netnsBefore'>): HostState {
  const sysctls: Record<string, string> = {};
  for (const k of SYSCTLS) {
    try {
      sysctls[k] = readFileSync(sysctlPath(k), 'utf8').trim();
    } catch {
      /* absent on this kernel: nothing to restore */
    }
  }
  const state: HostState = { ...s, sysctls, netnsBefore: listNetns() };
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
  return state;
}

/** A state file left by a run that died before its teardown: undo it now. */
export async function replayStaleState(): Promise<string[]> {
  if (!existsSync(STATE_FILE)) return [];
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as HostState;
  return teardownHost(state);
}

function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/** Undoes everything; returns what it had to clean (for logs). Never throws: it runs in after() hooks. */
export async function teardownHost(state: HostState): Promise<string[]> {
  const did: string[] = [];
  // 1. Processes: shims of our containerd and whatever they run.
  for (const pid of ownProcesses(state)) {
    try {
      process.kill(pid, 'SIGKILL');
      did.push(`killed pid ${pid}`);
    } catch {
      /* already gone */
    }
  }
  await waitGone(ownProcesses(state), 10_000);
  // 2. Mounts under our roots, deepest first; lazy so a busy one still goes.
  for (const m of ownMounts(state.roots)) {
    const r = await run('umount', ['-l', m]);
    if (r.code === 0) did.push(`unmounted ${m}`);
  }
  // 3. Network namespaces the CRI made and did not remove.
  for (const ns of listNetns().filter((n) => n.startsWith('cni-') && !state.netnsBefore.includes(n))) {
    await run('umount', ['-l', `/run/netns/${ns}`]);
    rmSync(`/run/netns/${ns}`, { force: true });
    did.push(`removed netns ${ns}`);
  }
  // 4. The bridge (its veths went with the namespaces).
  if ((await run('ip', ['link', 'show', state.bridge])).code === 0) {
    await run('ip', ['link', 'delete', state.bridge]);
    did.push(`deleted bridge ${state.bridge}`);
  }
  // 5. iptables: kubelet's and kube-proxy's KUBE-* chains, and ours.
  for (const bin of ['iptables', 'ip6tables']) did.push(...(await removeChains(bin)));
  // 6. cgroups kubelet created (empty once the processes are gone).
  did.push(...removeCgroups());
  // 7. sysctls back to what they were.
  for (const [k, v] of Object.entries(state.sysctls)) {
    try {
      if (readFileSync(sysctlPath(k), 'utf8').trim() !== v) {
        writeFileSync(sysctlPath(k), v);
        did.push(`restored ${k}=${v}`);
      }
    } catch {
      /* read-only here: nothing was changed either */
    }
  }
  for (const r of state.roots) rmSync(r, { recursive: true, force: true });
  rmSync(STATE_FILE, { force: true });
  return did;
}

/** PIDs whose command line names our containerd socket (shims) or whose parent is such a shim (containers). */
export function ownProcesses(state: Pick<HostState, 'containerdSocket' | 'roots'>): number[] {
  const shims = new Set<number>();
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(pid, ppid);
      if (
        cmd.includes(state.containerdSocket) ||
        cmd.some(
          (a) =>
            state.roots.some((r) => a.startsWith(r + '/')) && /containerd|kubelet|kube-/.test(cmd[0] ?? ''),
        )
      )
        shims.add(pid);
    } catch {
      /* exited meanwhile */
    }
  }
  const out = new Set(shims);
  // Descendants of the shims: the pods' processes.
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!out.has(pid) && out.has(ppid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return [...out];
}

async function waitGone(pids: number[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (const pid of pids) {
    while (Date.now() < deadline && existsSync(`/proc/${pid}`)) await new Promise((r) => setTimeout(r, 50));
  }
}

/** Mount points under any of the roots, deepest first. */
export function ownMounts(roots: string[]): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4]?.replace(/\\040/g, ' ');
    if (mp && roots.some((r) => mp === r || mp.startsWith(r + '/'))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** KUBE-* and our own chains in every table, with the rules that jump to them. */
export async function listChains(bin: string): Promise<string[]> {
  const out: string[] = [];
  for (const table of ['filter', 'nat', 'mangle']) {
    const r = await run(bin, ['-w', '-t', table, '-S']);
    if (r.code !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const m = /^-N ((?:KUBE-|MGE2E-)\S+)$/.exec(line);
      if (m?.[1]) out.push(`${table}/${m[1]}`);
    }
  }
  return out;
}

async function removeChains(bin: string): Promise<string[]> {
  const did: string[] = [];
  for (const table of ['filter', 'nat', 'mangle']) {
    const r = await run(bin, ['-w', '-t', table, '-S']);
    if (r.code !== 0) continue;
    const lines = r.stdout.split('\n');
    const ours = (c: string) => c.startsWith('KUBE-') || c.startsWith(OWN_CHAIN_PREFIX);
    const chains = lines.flatMap((l) => /^-N (\S+)$/.exec(l)?.[1] ?? []).filter(ours);
    if (chains.length === 0) continue;
    // Rules in built-in chains that jump into ours.
    for (const l of lines) {
      const m = /^-A (\S+) (.*)-j (\S+)/.exec(l);
      if (m?.[1] && m[3] && !ours(m[1]) && ours(m[3])) {
        await run(bin, ['-w', '-t', table, '-D', m[1], ...splitRule(l.slice(3 + m[1].length + 1))]);
      }
    }
    for (const c of chains) await run(bin, ['-w', '-t', table, '-F', c]);
    for (const c of chains) {
      await run(bin, ['-w', '-t', table, '-X', c]);
      did.push(`${bin} -t ${table} -X ${c}`);
    }
  }
  return did;
}

/** iptables -S quotes comments with spaces: "..." stays one argument. */
function splitRule(rule: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(rule); m; m = re.exec(rule))
    out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : (m[2] ?? ''));
  return out;
}

/** kubelet's kubepods hierarchy under every v1 controller, leaves first. */
export function listCgroups(): string[] {
  const out: string[] = [];
  let controllers: string[];
  try {
    controllers = readdirSync(CGROUP_ROOT);
  } catch {
    return out;
  }
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      try {
        if (statSync(p).isDirectory()) walk(p);
      } catch {
        /* gone */
      }
    }
    out.push(dir);
  };
  for (const c of controllers) {
    const k = join(CGROUP_ROOT, c, 'kubepods');
    if (existsSync(k)) walk(k);
    const k2 = join(CGROUP_ROOT, c, 'kubepods.slice');
    if (existsSync(k2)) walk(k2);
  }
  return out;
}

function removeCgroups(): string[] {
  const did: string[] = [];
  for (const dir of listCgroups()) {
    try {
      rmdirSync(dir);
      if (dir.endsWith('/kubepods')) did.push(`removed cgroup ${dir}`);
    } catch {
      /* still has a task: reported by the leak check */
    }
  }
  return did;
}
