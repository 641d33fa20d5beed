// Shared by the T2 benchmark workers: each measurement runs in its own
// process, so the peak RSS it reports belongs to that measurement alone.
import { readFileSync } from 'node:fs';

/** Peak resident set size of this process in bytes (VmHWM; maxRSS where /proc is absent). */
export function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS * 1024;
}

/** The one line the parent reads: JSON on stdout. */
export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, peakRssBytes: peakRss() })}\n`);
}
