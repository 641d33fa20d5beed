import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { SCRIPTS_DIR } from './tools.js';

export interface ServerProcess {
  readonly name: string;
  readonly logPath: string;
  /** Resolves with the exit code (null when killed by a signal) once the server is gone. */
  readonly exited: Promise<number | null>;
  running(): boolean;
  /** Last lines of the server log, for error messages. */
  logTail(lines?: number): Promise<string>;
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  cmd: string;
  args: string[];
  logPath: string;
  /** Removed by the wrapper once the server has exited, even if we died first. */
  rmDirs?: string[];
}

const live = new Set<ChildProcess>();
let exitHooked = false;

/**
 * Starts a long-running server through scripts/tethered.sh: its stdin is a
 * pipe from us, and the wrapper kills the server when the pipe closes, which
 * the kernel does however this process ends. The 'exit' hook below is only a
 * faster path for normal exits.
 */
export function startTethered(o: StartOptions): ServerProcess {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGTERM');
    });
  }
  const logFd = openSync(o.logPath, 'a');
  const child = spawn('bash', [SCRIPTS_DIR + 'tethered.sh', o.cmd, ...o.args], {
    stdio: ['pipe', logFd, logFd],
    env: { ...process.env, TETHER_RMDIR: (o.rmDirs ?? []).join(' ') },
  });
  closeSync(logFd);
  live.add(child);
  // A test that forgets stop() must not keep mocha alive forever.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  child.stdin?.on('error', () => undefined);

  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      live.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      done = true;
      live.delete(child);
      resolve(null);
    });
  });

  const logTail = async (lines = 40) => {
    const text = await readFile(o.logPath, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  };

  const stop = async (timeoutMs = 20_000) => {
    if (done) return;
    child.stdin?.end(); // the wrapper's cue: SIGTERM the server, SIGKILL after 10 s
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  };

  return { name: o.name, logPath: o.logPath, exited, running: () => !done, logTail, stop };
}
