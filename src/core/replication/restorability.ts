// Can the backup be restored to consistency? PostgreSQL must replay the WAL
// from the backup's start LSN to its end LSN (the manifest's WAL-Ranges) on
// the backup's timelines: every segment of that range must be present
// (inside the backup's pg_wal/, pg_wal.tar, or among the archived WAL sent)
// with valid page headers through the bytes the range needs, and from the
// same cluster. Without it the copy cannot start: a BLOCK whatever
// sync_mode says (backup-wal-missing).
import type { Finding } from '../contracts/report.js';
import type { WalRange } from './backup-manifest.js';
import { blockFinding } from './findings.js';
import { formatLsn, segmentOf, segmentStartLsn, walFileName } from './wal-name.js';

export interface UsableSegment {
  timeline: number;
  segno: bigint;
  /** Bytes from the segment start with valid page headers. */
  validBytes: number;
  from: string;
}

export function restorabilityFindings(
  ranges: readonly WalRange[],
  segments: readonly UsableSegment[],
  segSize: number,
): Finding[] {
  const best = new Map<string, UsableSegment>();
  for (const s of segments) {
    const key = `${s.timeline}:${s.segno}`;
    const prior = best.get(key);
    if (!prior || prior.validBytes < s.validBytes) best.set(key, s);
  }
  const out: Finding[] = [];
  if (ranges.length === 0) {
    out.push(
      blockFinding(
        'backup-wal-missing',
        'backup_manifest has no WAL-Ranges: nothing says which WAL the backup needs to be restored',
      ),
    );
    return out;
  }
  for (const r of ranges) {
    const first = segmentOf(r.start, segSize);
    // End-LSN points just past the last record: the byte before it is the last one needed.
    const last = r.end > r.start ? segmentOf(r.end - 1n, segSize) : first;
    for (let n = first; n <= last; n++) {
      const need = n === last ? Number(r.end - segmentStartLsn(n, segSize)) : segSize;
      const name = walFileName(r.timeline, n, segSize);
      const seg = best.get(`${r.timeline}:${n}`);
      const range = `timeline ${r.timeline} ${formatLsn(r.start)}..${formatLsn(r.end)}`;
      if (!seg) {
        out.push(
          blockFinding(
            'backup-wal-missing',
            `the backup cannot be restored to consistency: WAL segment ${name} (${range}) is neither in the backup (pg_wal/, pg_wal.tar) nor among the WAL files sent; take the backup with -X stream or send the archived WAL`,
            name,
          ),
        );
        break;
      }
      if (seg.validBytes < need) {
        out.push(
          blockFinding(
            'backup-wal-missing',
            `the backup cannot be restored to consistency: WAL segment ${name} from ${seg.from} has valid pages only through byte ${seg.validBytes}, the backup needs ${need} (${range})`,
            name,
          ),
        );
        break;
      }
    }
  }
  return out;
}
