// A progress bar for long CLI work (validate replication): bytes done of the
// total, rate and ETA, redrawn in place on stderr, at most ten times a
// second. Only on a terminal: piped or redirected output (CI logs, `--json |
// jq`) gets no bar at all, so nothing but the report reaches the pipe.
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressBar {
  update(done: number, total?: number): void;
  /** Clears the bar (the report follows on stdout). */
  finish(): void;
}

const NONE: ProgressBar = { update() {}, finish() {} };

export function progressBar(
  stream: ProgressStream,
  opts: { label: string; total?: number; now?: () => number; minIntervalMs?: number },
): ProgressBar {
  if (!stream.isTTY) return NONE;
  const now = opts.now ?? (() => Date.now());
  const started = now();
  const minInterval = opts.minIntervalMs ?? 100;
  let last = -Infinity;
  let total = opts.total;
  let drawn = false;
  return {
    update(done, t) {
      if (t !== undefined && (total === undefined || t > total)) total = t;
      const at = now();
      if (at - last < minInterval && !(total !== undefined && done >= total)) return;
      last = at;
      stream.write(
        `\r${renderProgress({ label: opts.label, done, ...(total !== undefined ? { total } : {}), elapsedMs: at - started, width: stream.columns ?? 80 })}\x1b[K`,
      );
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** One line: `label [#####-----] 12.0 MiB / 40.0 MiB  30%  4.0 MiB/s  ETA 7 s`. Pure, for tests. */
export function renderProgress(p: {
  label: string;
  done: number;
  total?: number;
  elapsedMs: number;
  width: number;
}): string {
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.done / seconds : 0;
  const parts: string[] = [];
  if (p.total !== undefined && p.total > 0) {
    const frac = Math.min(1, p.done / p.total);
    const eta = rate > 0 ? Math.max(0, Math.ceil((p.total - p.done) / rate)) : undefined;
    parts.push(
      `${size(p.done)} / ${size(p.total)}`,
      `${Math.floor(frac * 100)}%`,
      `${size(rate)}/s`,
      eta === undefined ? 'ETA --' : `ETA ${time(eta)}`,
    );
    const text = parts.join('  ');
    const barWidth = Math.max(10, Math.min(40, p.width - p.label.length - text.length - 6));
    const filled = Math.round(frac * barWidth);
    return `${p.label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${text}`;
  }
  parts.push(`${size(p.done)}`, `${size(rate)}/s`);
  return `${p.label} ${parts.join('  ')}`;
}

function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

function time(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
