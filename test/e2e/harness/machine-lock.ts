import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

// A real node changes machine-wide state (a bridge, iptables chains that
// kubelet and kube-proxy name KUBE-*, /run/netns, cgroups): two at once on
// one machine would fight over it. One node per machine, then: the lock is an
// flock(1) holder whose stdin is a pipe from us, so the kernel releases it
// however this process ends (same idea as tethered.sh).

export const NODE_LOCK = '/run/migration-gate-e2e-node.lock';

export interface MachineLock {
  release(): void;
}

export function acquireMachineLock(path = NODE_LOCK, timeoutMs = 30 * 60_000): Promise<MachineLock> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'flock',
      [
        '-x',
        '-w',
        String(Math.ceil(timeoutMs / 1000)),
        path,
        'sh',
        '-c',
        'echo locked; while read -r _; do :; done',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('locked')) {
        child.unref();
        (child.stdin as Socket).unref();
        (child.stdout as Socket).unref();
        (child.stderr as Socket).unref();
        resolve({ release: () => child.stdin.end() });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!out.includes('locked'))
        reject(new Error(`cannot take the node lock ${path} (flock exit ${code}): ${err}`));
    });
  });
}
