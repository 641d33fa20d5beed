// Streams one WAL segment and checks every page header, not just the
// first: magic (one PostgreSQL version per segment), flags, timeline (never
// above the name's, never decreasing: the pages before a switch point carry
// the parent's timeline), and page address = segment start + page offset.
// The first page that fails is where the written WAL ends (zeroes, or a
// recycled segment's older pages); `validBytes` says how far the WAL is
// readable, which is what restorability needs (restorability.ts). Records
// themselves (and their CRCs) are pg_waldump's job, not this one's.
import { LONG_HEADER_BYTES, readLongHeader, type WalLongHeader } from './wal-header.js';
import { isValidSegmentSize, segmentNumber, segmentStartLsn } from './wal-name.js';

const SHORT_HEADER_BYTES = 24;
const XLP_ALL_FLAGS = 0x0007;

export interface WalScan {
  size: number;
  /** The first 40 bytes (the long page header). */
  head: Uint8Array;
  /** Bytes from the segment start whose pages all have valid headers. */
  validBytes: number;
  /** xlp_sysid of the first page, when it has a long header. */
  systemId?: bigint;
}

/** A WAL segment seen inside a backup's tar (pg_wal/ of base.tar or pg_wal.tar). */
export interface EmbeddedWal extends WalScan {
  name: string;
  /** Which tar (or "the snapshot") it came from, for messages. */
  from: string;
  /** A `<TLI>.history` file in pg_wal/ (not a segment): its text, parsed with the WAL sent. */
  text?: string;
}

export class WalPageScanner {
  private size = 0;
  private readonly head = Buffer.alloc(LONG_HEADER_BYTES);
  private readonly page = Buffer.alloc(SHORT_HEADER_BYTES);
  private long: WalLongHeader | undefined;
  private systemId: bigint | undefined;
  private ended = false;
  private validBytes = 0;
  private lastTli = 0;

  private startLsn = 0n;

  /** From the file name; the start LSN also needs the segment size, which the first page header gives. */
  constructor(private readonly name: { timeline: number; hi: number; lo: number }) {}

  private get timeline(): number {
    return this.name.timeline;
  }

  update(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      const at = this.size;
      if (at < LONG_HEADER_BYTES) {
        const k = Math.min(LONG_HEADER_BYTES - at, chunk.length - i);
        this.head.set(chunk.subarray(i, i + k), at);
        this.size += k;
        i += k;
        if (this.size === LONG_HEADER_BYTES) this.onFirstPage();
        continue;
      }
      const block = this.long?.blockSize;
      if (this.ended || !block) {
        this.size += chunk.length - i;
        return;
      }
      const inPage = at % block;
      if (inPage >= SHORT_HEADER_BYTES) {
        // Skip to the next page boundary.
        const k = Math.min(block - inPage, chunk.length - i);
        this.size += k;
        i += k;
        if (inPage + k === block) this.validBytes = this.size;
        continue;
      }
      const k = Math.min(SHORT_HEADER_BYTES - inPage, chunk.length - i);
      this.page.set(chunk.subarray(i, i + k), inPage);
      this.size += k;
      i += k;
      if (inPage + k === SHORT_HEADER_BYTES) this.onPage(at - inPage);
    }
  }

  private onFirstPage(): void {
    const h = readLongHeader(this.head);
    const segno =
      h && isValidSegmentSize(h.segmentSize)
        ? segmentNumber(this.name.hi, this.name.lo, h.segmentSize)
        : undefined;
    if (segno !== undefined) this.startLsn = segmentStartLsn(segno, h!.segmentSize);
    if (
      !h ||
      segno === undefined ||
      !this.pageOk(h.magic, h.info, h.timeline, h.pageAddress, 0n) ||
      !validBlockSize(h.blockSize)
    ) {
      this.ended = true;
      return;
    }
    this.long = h;
    this.systemId = new DataView(this.head.buffer, this.head.byteOffset, LONG_HEADER_BYTES).getBigUint64(
      24,
      true,
    );
  }

  private onPage(pageStart: number): void {
    const v = new DataView(this.page.buffer, this.page.byteOffset, SHORT_HEADER_BYTES);
    if (
      !this.pageOk(
        v.getUint16(0, true),
        v.getUint16(2, true),
        v.getUint32(4, true),
        v.getBigUint64(8, true),
        BigInt(pageStart),
      )
    ) {
      this.ended = true;
      this.validBytes = pageStart;
    }
  }

  private pageOk(magic: number, info: number, tli: number, pageAddress: bigint, offset: bigint): boolean {
    if (this.long && magic !== this.long.magic) return false;
    if ((info & ~XLP_ALL_FLAGS) !== 0) return false;
    if (tli === 0 || tli > this.timeline || tli < this.lastTli) return false;
    if (pageAddress !== this.startLsn + offset) return false;
    this.lastTli = tli;
    return true;
  }

  finish(): WalScan {
    const block = this.long?.blockSize;
    // A final page that was complete is valid through its end; a partial last page counts as read.
    if (!this.ended && block) this.validBytes = this.size;
    return {
      size: this.size,
      head: Buffer.from(this.head.subarray(0, Math.min(this.size, LONG_HEADER_BYTES))),
      validBytes: this.long ? this.validBytes : 0,
      ...(this.systemId !== undefined ? { systemId: this.systemId } : {}),
    };
  }
}

function validBlockSize(n: number): boolean {
  return n >= 1024 && n <= 65536 && (n & (n - 1)) === 0;
}
