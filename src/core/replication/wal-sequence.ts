// Continuity and coverage of the received WAL segments, per timeline.
import type { WalRange } from './backup-manifest.js';
import { formatLsn, segmentOf, walFileName } from './wal-name.js';

export interface ReceivedSegment {
  timeline: number;
  segno: bigint;
}

/** Missing segment names between the lowest and highest received segment of each timeline. */
export function findGaps(segments: readonly ReceivedSegment[], segSize: number, maxReported = 20): string[] {
  const byTimeline = new Map<number, bigint[]>();
  for (const s of segments) {
    const list = byTimeline.get(s.timeline) ?? [];
    list.push(s.segno);
    byTimeline.set(s.timeline, list);
  }
  const gaps: string[] = [];
  for (const [tli, list] of byTimeline) {
    list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 1; i < list.length && gaps.length < maxReported; i++) {
      for (let n = list[i - 1]! + 1n; n < list[i]! && gaps.length < maxReported; n++)
        gaps.push(walFileName(tli, n, segSize));
    }
  }
  return gaps;
}

/** Ranges (as "tli start..end: missing NAME") not covered by received segments of their timeline. */
export function uncoveredRanges(
  ranges: readonly WalRange[],
  segments: readonly ReceivedSegment[],
  segSize: number,
): string[] {
  const have = new Set(segments.map((s) => `${s.timeline}:${s.segno}`));
  const out: string[] = [];
  for (const r of ranges) {
    const first = segmentOf(r.start, segSize);
    // End-LSN points just past the last record: the byte before it is the last one needed.
    const last = r.end > r.start ? segmentOf(r.end - 1n, segSize) : first;
    for (let n = first; n <= last; n++) {
      if (!have.has(`${r.timeline}:${n}`)) {
        out.push(
          `timeline ${r.timeline} ${formatLsn(r.start)}..${formatLsn(r.end)} needs ${walFileName(r.timeline, n, segSize)}`,
        );
        break;
      }
    }
  }
  return out;
}
