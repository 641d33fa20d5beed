// A cheap sanity check of a WAL segment's first page (XLogLongPageHeaderData):
// magic, XLP_LONG_HEADER, timeline, page address = the segment's start LSN,
// segment size. It catches a segment renamed to fill a gap, or a file that is
// not WAL at all, without parsing records (that is pg_waldump's job).
//
// Layout (little-endian on every platform PostgreSQL ships on):
//   0 u16 xlp_magic   2 u16 xlp_info   4 u32 xlp_tli   8 u64 xlp_pageaddr
//  16 u32 xlp_rem_len 24 u64 xlp_sysid 32 u32 xlp_seg_size 36 u32 xlp_xlog_blcksz

export const LONG_HEADER_BYTES = 40;
const XLP_LONG_HEADER = 0x0002;

/** XLOG_PAGE_MAGIC per major version (src/include/access/xlog_internal.h). */
export const WAL_PAGE_MAGIC: Readonly<Record<number, string>> = {
  0xd101: 'PostgreSQL 12',
  0xd106: 'PostgreSQL 13',
  0xd10d: 'PostgreSQL 14',
  0xd110: 'PostgreSQL 15',
  0xd113: 'PostgreSQL 16',
  0xd116: 'PostgreSQL 17',
  0xd118: 'PostgreSQL 18',
};

export interface WalLongHeader {
  magic: number;
  info: number;
  timeline: number;
  pageAddress: bigint;
  segmentSize: number;
  blockSize: number;
}

export function readLongHeader(first: Uint8Array): WalLongHeader | undefined {
  if (first.length < LONG_HEADER_BYTES) return undefined;
  const v = new DataView(first.buffer, first.byteOffset, LONG_HEADER_BYTES);
  return {
    magic: v.getUint16(0, true),
    info: v.getUint16(2, true),
    timeline: v.getUint32(4, true),
    pageAddress: v.getBigUint64(8, true),
    segmentSize: v.getUint32(32, true),
    blockSize: v.getUint32(36, true),
  };
}

/** Problems with a header, given what the file name implies; empty when consistent. */
export function headerProblems(
  h: WalLongHeader,
  expect: { timeline: number; startLsn: bigint; segmentSize: number },
): string[] {
  const problems: string[] = [];
  if (!(h.magic in WAL_PAGE_MAGIC)) problems.push(`unknown page magic 0x${h.magic.toString(16)}`);
  if ((h.info & XLP_LONG_HEADER) === 0) problems.push('first page lacks XLP_LONG_HEADER');
  if (h.timeline !== expect.timeline)
    problems.push(`header timeline ${h.timeline} ≠ name timeline ${expect.timeline}`);
  if (h.pageAddress !== expect.startLsn)
    problems.push(
      `page address 0x${h.pageAddress.toString(16)} ≠ segment start 0x${expect.startLsn.toString(16)}`,
    );
  if (h.segmentSize !== expect.segmentSize)
    problems.push(`segment size ${h.segmentSize} ≠ ${expect.segmentSize}`);
  return problems;
}
