// WAL file names and segment arithmetic. A segment file is named
// TTTTTTTT XXXXXXXX YYYYYYYY: timeline, then the segment number split as
// (segno / segmentsPerXLogId, segno % segmentsPerXLogId), where
// segmentsPerXLogId = 2^32 / segment size (256 for the default 16 MiB).

export type WalName =
  | { kind: 'segment'; timeline: number; hi: number; lo: number; partial: boolean }
  | { kind: 'backup'; timeline: number; hi: number; lo: number; offset: number }
  | { kind: 'history'; timeline: number };

export const DEFAULT_WAL_SEGMENT_SIZE = 16 * 1024 * 1024;

const SEGMENT = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})(\.partial)?$/;
const BACKUP = /^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})\.([0-9A-F]{8})\.backup$/;
const HISTORY = /^([0-9A-F]{8})\.history$/;

/** PostgreSQL writes upper-case hex; anything else (paths, lower case, suffixes) is refused. */
export function parseWalName(name: string): WalName | undefined {
  let m = SEGMENT.exec(name);
  if (m)
    return {
      kind: 'segment',
      timeline: hex(m[1]!),
      hi: hex(m[2]!),
      lo: hex(m[3]!),
      partial: m[4] !== undefined,
    };
  m = BACKUP.exec(name);
  if (m) return { kind: 'backup', timeline: hex(m[1]!), hi: hex(m[2]!), lo: hex(m[3]!), offset: hex(m[4]!) };
  m = HISTORY.exec(name);
  if (m) return { kind: 'history', timeline: hex(m[1]!) };
  return undefined;
}

function hex(s: string): number {
  return parseInt(s, 16);
}

export function isValidSegmentSize(size: number): boolean {
  return (
    Number.isInteger(size) && size >= 1024 * 1024 && size <= 1024 * 1024 * 1024 && (size & (size - 1)) === 0
  );
}

export function segmentsPerXLogId(segSize: number): bigint {
  return 0x100000000n / BigInt(segSize);
}

/** Segment number from a name's two halves, or undefined when the low half is out of range. */
export function segmentNumber(hi: number, lo: number, segSize: number): bigint | undefined {
  const per = segmentsPerXLogId(segSize);
  if (BigInt(lo) >= per) return undefined;
  return BigInt(hi) * per + BigInt(lo);
}

export function segmentStartLsn(segno: bigint, segSize: number): bigint {
  return segno * BigInt(segSize);
}

/** The segment holding byte `lsn`. */
export function segmentOf(lsn: bigint, segSize: number): bigint {
  return lsn / BigInt(segSize);
}

export function walFileName(timeline: number, segno: bigint, segSize: number): string {
  const per = segmentsPerXLogId(segSize);
  const h = (n: bigint | number): string => n.toString(16).toUpperCase().padStart(8, '0');
  return `${h(timeline)}${h(segno / per)}${h(segno % per)}`;
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
