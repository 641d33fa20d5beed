// Timelines: after a promotion PostgreSQL writes <TLI>.history, one line per
// ancestor: "parentTLI <tab> switchpoint LSN <tab> reason". A WAL set that
// spans timelines is replayable only along that history: every segment on a
// timeline of the path, each ancestor's segments only up to its switch point,
// and no hole where one timeline hands over to the next. Without the history
// file, a set that spans timelines cannot be checked and is refused.
import type { Finding } from '../contracts/report.js';
import { parseLsn } from './backup-manifest.js';
import { blockFinding } from './findings.js';
import { formatLsn, segmentOf, walFileName } from './wal-name.js';

export interface HistoryEntry {
  parent: number;
  switchpoint: bigint;
}

export function parseHistory(text: string, tli: number): HistoryEntry[] | string {
  const out: HistoryEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([0-9]{1,10})\s+([0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8})(\s.*)?$/.exec(line);
    if (!m) return `a line is not "parentTLI switchpoint reason"`;
    const parent = Number(m[1]);
    const switchpoint = parseLsn(m[2]!);
    const prev = out.at(-1);
    if (parent >= tli || (prev && (parent <= prev.parent || switchpoint < prev.switchpoint)))
      return 'timelines or switch points are not increasing';
    out.push({ parent, switchpoint });
  }
  if (out.length === 0) return 'no entries';
  return out;
}

export interface TimelineSegment {
  timeline: number;
  segno: bigint;
  name: string;
}

export function timelineFindings(
  segments: readonly TimelineSegment[],
  histories: ReadonlyMap<number, HistoryEntry[]>,
  segSize: number,
): { findings: Finding[]; checked: boolean } {
  const tlis = [...new Set(segments.map((s) => s.timeline))].sort((a, b) => a - b);
  if (tlis.length <= 1 && histories.size === 0) return { findings: [], checked: false };
  const newest = Math.max(...tlis, ...histories.keys());
  const history = histories.get(newest);
  if (!history) {
    const f = blockFinding(
      'wal-timeline-history-missing',
      `the WAL spans timelines ${tlis.join(', ')} but ${walHistoryName(newest)} was not sent: without it the switch points are unknown and the set cannot be checked`,
      walHistoryName(newest),
    );
    return { findings: [f], checked: true };
  }
  const findings: Finding[] = [];
  for (const [t, h] of histories) {
    if (t !== newest && !isPrefix(h, history))
      findings.push(
        blockFinding(
          'wal-history-invalid',
          `${walHistoryName(t)} disagrees with ${walHistoryName(newest)}: they describe different histories`,
          walHistoryName(t),
        ),
      );
  }
  // The path: each ancestor until its switch point, then the newest.
  const path = [
    ...history.map((e) => ({ tli: e.parent, until: e.switchpoint as bigint | undefined })),
    { tli: newest, until: undefined },
  ];
  const onPath = new Map(path.map((p) => [p.tli, p.until]));
  const begins = new Map(path.map((p, i) => [p.tli, i === 0 ? 0n : segmentOf(path[i - 1]!.until!, segSize)]));
  for (const s of segments) {
    if (!onPath.has(s.timeline)) {
      findings.push(
        blockFinding(
          'wal-timeline-invalid',
          `WAL segment ${s.name} is on timeline ${s.timeline}, which is not in the history of timeline ${newest} (${path.map((p) => p.tli).join(' → ')})`,
          s.name,
        ),
      );
      continue;
    }
    const until = onPath.get(s.timeline);
    if (s.segno < begins.get(s.timeline)!) {
      findings.push(
        blockFinding(
          'wal-timeline-invalid',
          `WAL segment ${s.name} is on timeline ${s.timeline} before that timeline began (it branched at ${walFileName(s.timeline, begins.get(s.timeline)!, segSize)})`,
          s.name,
        ),
      );
    } else if (until !== undefined && s.segno > segmentOf(until, segSize)) {
      findings.push(
        blockFinding(
          'wal-timeline-invalid',
          `WAL segment ${s.name} continues timeline ${s.timeline} past its switch point ${formatLsn(until)}: that WAL belongs to a history the cluster left`,
          s.name,
        ),
      );
    }
  }
  findings.push(...handoverGaps(segments, path, begins, segSize));
  return { findings, checked: true };
}

/** Between the lowest and highest segment, the timeline current at each segment must have it. */
function handoverGaps(
  segments: readonly TimelineSegment[],
  path: readonly { tli: number; until: bigint | undefined }[],
  begins: ReadonlyMap<number, bigint>,
  segSize: number,
): Finding[] {
  if (segments.length === 0) return [];
  const have = new Set(segments.map((s) => `${s.timeline}:${s.segno}`));
  const nos = segments.map((s) => s.segno);
  const lo = nos.reduce((a, b) => (a < b ? a : b));
  const hi = nos.reduce((a, b) => (a > b ? a : b));
  const missing: string[] = [];
  for (let n = lo; n <= hi && missing.length < 5; n++) {
    // The segment holding a switch point exists on both timelines; either one serves.
    const current = path.filter(
      (p) => n >= begins.get(p.tli)! && (p.until === undefined || n <= segmentOf(p.until, segSize)),
    );
    if (!current.some((p) => have.has(`${p.tli}:${n}`)))
      missing.push(walFileName(current.at(-1)?.tli ?? path.at(-1)!.tli, n, segSize));
  }
  return missing.length > 0
    ? [
        blockFinding(
          'wal-gap',
          `WAL sequence has a gap along the timeline history: missing ${missing.join(', ')}`,
          missing[0],
        ),
      ]
    : [];
}

function isPrefix(a: readonly HistoryEntry[], b: readonly HistoryEntry[]): boolean {
  return (
    a.length <= b.length &&
    a.every((e, i) => e.parent === b[i]!.parent && e.switchpoint === b[i]!.switchpoint)
  );
}

export function walHistoryName(tli: number): string {
  return `${tli.toString(16).toUpperCase().padStart(8, '0')}.history`;
}
