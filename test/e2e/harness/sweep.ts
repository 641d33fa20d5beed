import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The servers of a SIGKILLed test run die with it (tethered.sh), but its
// scratch dir stays behind: no 'exit' handler runs on SIGKILL. Each scratch
// dir records its owner pid; the next run removes those whose owner is gone.

const OWNER = '.owner-pid';

export function claim(dir: string): void {
  writeFileSync(join(dir, OWNER), String(process.pid));
}

export function sweepStale(parent: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(parent, name);
    let pid: number;
    try {
      pid = Number(readFileSync(join(dir, OWNER), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (pid > 0 && !alive(pid)) rmSync(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, other user
  }
}
