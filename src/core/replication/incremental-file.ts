// PostgreSQL 17+ incremental files (`INCREMENTAL.<relfilenode>[_fork][.seg]`
// in an incremental backup): a header, then the changed blocks. Read as
// pg_combinebackup reads it (src/bin/pg_combinebackup/reconstruct.c,
// make_incremental_rfile; written by basebackup_incremental.c): magic
// 0xd3ae1f0d, block count, truncation block length (both at most
// RELSEG_SIZE), the relative block numbers, the header padded to a multiple
// of BLCKSZ when it has blocks, then exactly one BLCKSZ block per number.
// Stricter than pg_combinebackup, which trusts the writer: the numbers must
// be strictly ascending and below RELSEG_SIZE (basebackup sorts them; a
// repeated or out-of-range number would put a page in the wrong place), and
// the size must be exact (a file cut short or padded is refused, not read
// as zeroes). Streamed: only the 12-byte head is held; block numbers are
// checked as they pass.

/** The build every PostgreSQL package here uses (8 kB pages, 1 GB segments); another build fails the size check, closed. */
export const BLCKSZ = 8192;
export const RELSEG_SIZE = 131072;
export const INCREMENTAL_MAGIC = 0xd3ae1f0d;

/** `INCREMENTAL.` + a relation file name: relfilenode, optional fork, optional segment number. */
const INCREMENTAL_NAME = /^INCREMENTAL\.([1-9][0-9]{0,9}(?:_(?:fsm|vm|init))?(?:\.[1-9][0-9]{0,9})?)$/;

/** The relation file an INCREMENTAL path stands for (base/5/INCREMENTAL.16384 → base/5/16384), or undefined for another name. */
export function incrementalTarget(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  const m = INCREMENTAL_NAME.exec(path.slice(slash + 1));
  return m ? `${path.slice(0, slash + 1)}${m[1]}` : undefined;
}

export function isIncrementalPath(path: string): boolean {
  return path.slice(path.lastIndexOf('/') + 1).startsWith('INCREMENTAL.');
}

export interface IncrementalHeader {
  path: string;
  blocks: number;
  truncationBlockLength: number;
}

/** One INCREMENTAL file's header, fed as its bytes stream past; `finish` says what is wrong with it, if anything. */
export class IncrementalHeaderScan {
  private readonly head = Buffer.alloc(12);
  private size = 0;
  private blocks = -1;
  private truncation = 0;
  private lastBlock = -1;
  private problem: string | undefined;
  private readonly pending = Buffer.alloc(4);

  constructor(readonly path: string) {}

  update(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.problem === undefined) {
      if (this.size < 12) {
        const k = Math.min(12 - this.size, chunk.length - i);
        this.head.set(chunk.subarray(i, i + k), this.size);
        this.size += k;
        i += k;
        if (this.size === 12) this.readHead();
        continue;
      }
      const numbersEnd = 12 + 4 * this.blocks;
      if (this.size < numbersEnd) {
        const at = (this.size - 12) % 4;
        const k = Math.min(4 - at, numbersEnd - this.size, chunk.length - i);
        this.pending.set(chunk.subarray(i, i + k), at);
        this.size += k;
        i += k;
        if ((this.size - 12) % 4 === 0) this.readBlockNumber(this.pending.readUInt32LE(0));
        continue;
      }
      // Padding and block contents: counted, not kept.
      this.size += chunk.length - i;
      i = chunk.length;
    }
  }

  private readHead(): void {
    const magic = this.head.readUInt32LE(0);
    if (magic !== INCREMENTAL_MAGIC) {
      this.problem = `bad magic number 0x${magic.toString(16).padStart(8, '0')} (an incremental file starts with 0x${INCREMENTAL_MAGIC.toString(16)})`;
      return;
    }
    this.blocks = this.head.readUInt32LE(4);
    this.truncation = this.head.readUInt32LE(8);
    if (this.blocks > RELSEG_SIZE)
      this.problem = `block count ${this.blocks} is more than a relation segment holds (${RELSEG_SIZE})`;
    else if (this.truncation > RELSEG_SIZE)
      this.problem = `truncation block length ${this.truncation} is more than a relation segment holds (${RELSEG_SIZE})`;
  }

  private readBlockNumber(n: number): void {
    if (n >= RELSEG_SIZE)
      this.problem = `block number ${n} is outside a relation segment (0..${RELSEG_SIZE - 1})`;
    else if (n <= this.lastBlock)
      this.problem = `block numbers are not strictly ascending (${n} after ${this.lastBlock})`;
    this.lastBlock = n;
  }

  /** The header, or what is wrong (a message naming no path: the caller names the link and file). */
  finish(): IncrementalHeader | string {
    if (this.problem !== undefined) return this.problem;
    if (incrementalTarget(this.path) === undefined)
      return 'the name is not INCREMENTAL.<relfilenode>[_fork][.segment]';
    if (this.size < 12) return `${this.size} bytes: shorter than the 12-byte header`;
    if (this.size < 12 + 4 * this.blocks)
      return `truncated inside the block list (${this.size} bytes, ${this.blocks} block numbers announced)`;
    const expected = headerLength(this.blocks) + this.blocks * BLCKSZ;
    if (this.size !== expected)
      return `${this.size} bytes, but a header for ${this.blocks} block(s) and the blocks make ${expected} (BLCKSZ ${BLCKSZ}): ${this.size < expected ? 'a block is cut short' : 'bytes after the last block'}`;
    return { path: this.path, blocks: this.blocks, truncationBlockLength: this.truncation };
  }
}

/** GetIncrementalHeaderSize: 12 bytes + 4 per block, rounded up to BLCKSZ when there are blocks. */
export function headerLength(blocks: number): number {
  const raw = 12 + 4 * blocks;
  return blocks > 0 && raw % BLCKSZ !== 0 ? raw + BLCKSZ - (raw % BLCKSZ) : raw;
}
