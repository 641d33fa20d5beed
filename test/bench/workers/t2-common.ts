// Shared by the T2 benchmark workers: each measurement runs in its own
// process, so the peak RSS it reports belongs to that measurement alone.
import { readFileSync } from 'node:fs';

/** Peak resident set size of this process in bytes (VmHWM; maxRSS where /proc is absent). */
export function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** The one line the parent reads: JSON on stdout. */
export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, peakRssBytes: peakRss() })}\n`);
}

/** Starts the clock: wall seconds and this process's CPU seconds (all threads, user + system) since now. */
export function startClock(): () => { seconds: number; cpuSeconds: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
  };
}
