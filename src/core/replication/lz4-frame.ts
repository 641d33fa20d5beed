// A streaming LZ4 *frame* decoder (the format `lz4` and pg_basebackup -Z lz4
// write: https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md).
// Written here, not taken from npm: `lz4` (native, nan, last release 2020)
// no longer builds cleanly on current Node, `lz4-napi` only decodes whole
// buffers (no streaming, so no bounded memory), and `lz4js` is unmaintained
// and also whole-buffer. The format is small; what matters for a verifier is
// that every field is checked (version, reserved bits, header checksum,
// block sizes, block and content checksums) and memory stays bounded: one
// block (≤ 4 MiB) plus the 64 KiB window.
//
// push() takes compressed bytes and returns decoded chunks (copies the
// caller may keep); pushTo() hands each block to a callback as a view of
// the decoder's own buffer, valid only during the call (no copy, no
// allocation per block: what the verifier's synchronous hashing wants).
// end() throws if the stream stopped inside a frame. Errors carry `code` so the caller can
// name truncation and trailing data apart from corruption.
import { Xxh32 } from './xxh32.js';

const FRAME_MAGIC = 0x184d2204;
const EMPTY = Buffer.alloc(0);
const WINDOW = 64 * 1024;
const BLOCK_MAX: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

export type Lz4ErrorCode = 'LZ4_TRUNCATED' | 'LZ4_TRAILING' | 'LZ4_CORRUPT';

export class Lz4Error extends Error {
  override readonly name = 'Lz4Error';
  constructor(
    readonly code: Lz4ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const corrupt = (m: string): never => {
  throw new Lz4Error('LZ4_CORRUPT', `lz4: ${m}`);
};

interface Frame {
  independent: boolean;
  blockChecksum: boolean;
  contentChecksum: boolean;
  contentSize?: bigint;
  blockMax: number;
  produced: bigint;
  content?: Xxh32;
}

type State = 'magic' | 'skip-size' | 'skip' | 'descriptor' | 'block-size' | 'block' | 'content-checksum';

export class Lz4FrameDecoder {
  private queue: Buffer[] = [];
  /** Index of the first unread chunk (Array.shift is O(n): tiny chunks would make it quadratic). */
  private qh = 0;
  private queued = 0;
  private state: State = 'magic';
  private frame: Frame | undefined;
  private frames = 0;
  private skipLeft = 0;
  private blockLen = 0;
  private blockRaw = false;
  private buf = Buffer.alloc(0);
  private history = 0;
  /** Where pushTo() delivers blocks (views, valid during the call only). */
  private sink: ((block: Buffer) => void) | undefined;
  /** Compressed bytes consumed so far (for the caller's budget and messages). */
  consumed = 0;

  /** Decodes what it can of `chunk`; each decoded block goes to `onBlock` as a view valid during that call only. */
  pushTo(chunk: Uint8Array, onBlock: (block: Buffer) => void): void {
    this.sink = onBlock;
    try {
      for (const out of this.push(chunk)) onBlock(out);
    } finally {
      this.sink = undefined;
    }
  }

  push(chunk: Uint8Array): Buffer[] {
    if (chunk.length > 0) {
      if (this.qh > 1024 && this.qh * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.qh);
        this.qh = 0;
      }
      this.queue.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.queued += chunk.length;
    }
    const out: Buffer[] = [];
    for (;;) {
      const produced = this.step();
      if (produced === undefined) return out;
      if (produced.length > 0) out.push(produced);
    }
  }

  end(): void {
    if (this.frames === 0 && this.state === 'magic') throw new Lz4Error('LZ4_TRUNCATED', 'lz4: empty stream');
    if (this.state !== 'magic' || this.queued > 0)
      throw new Lz4Error('LZ4_TRUNCATED', 'lz4: unexpected end of stream inside a frame');
  }

  private take(n: number): Buffer | undefined {
    if (this.queued < n) return undefined;
    this.queued -= n;
    this.consumed += n;
    const first = this.queue[this.qh]!;
    if (first.length >= n) {
      const head = first.subarray(0, n);
      if (first.length === n) this.qh++;
      else this.queue[this.qh] = first.subarray(n);
      return head;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.queue[this.qh]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.qh++;
      else this.queue[this.qh] = c.subarray(k);
    }
    return out;
  }

  /** One state transition; undefined when more input is needed. */
  private step(): Buffer | undefined {
    switch (this.state) {
      case 'magic':
        return this.onMagic();
      case 'skip-size': {
        const b = this.take(4);
        if (!b) return undefined;
        this.skipLeft = b.readUInt32LE(0);
        this.state = 'skip';
        return Buffer.alloc(0);
      }
      case 'skip': {
        const n = Math.min(this.skipLeft, this.queued);
        if (n > 0) this.take(n);
        this.skipLeft -= n;
        if (this.skipLeft > 0) return undefined;
        this.state = 'magic';
        return Buffer.alloc(0);
      }
      case 'descriptor':
        return this.onDescriptor();
      case 'block-size':
        return this.onBlockSize();
      case 'block':
        return this.onBlock();
      case 'content-checksum':
        return this.onContentChecksum();
    }
  }

  private onMagic(): Buffer | undefined {
    if (this.queued < 4) return undefined;
    const b = this.take(4)!;
    const magic = b.readUInt32LE(0);
    if (magic === FRAME_MAGIC) {
      this.state = 'descriptor';
      return Buffer.alloc(0);
    }
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      this.state = 'skip-size';
      return Buffer.alloc(0);
    }
    if (this.frames > 0)
      throw new Lz4Error('LZ4_TRAILING', 'lz4: bytes after the last frame are not an lz4 frame');
    return corrupt('not an lz4 frame (bad magic number)');
  }

  private onDescriptor(): Buffer | undefined {
    if (this.queued < 2) return undefined;
    const peek = this.peek(2);
    const flg = peek[0]!;
    const len = 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
    const d = this.take(len);
    if (!d) return undefined;
    if (flg >> 6 !== 1) corrupt(`frame version ${flg >> 6} is not 1`);
    if (flg & 0x02) corrupt('reserved FLG bit set');
    if (flg & 0x01) corrupt('frames with a dictionary ID are not supported');
    const bd = d[1]!;
    if (bd & 0x8f) corrupt('reserved BD bits set');
    const blockMax = BLOCK_MAX[(bd >> 4) & 7];
    if (blockMax === undefined) corrupt(`invalid block maximum size code ${(bd >> 4) & 7}`);
    const hc = new Xxh32();
    hc.update(d.subarray(0, len - 1));
    if (((hc.digest() >>> 8) & 0xff) !== d[len - 1]) corrupt('frame header checksum mismatch');
    this.frame = {
      independent: (flg & 0x20) !== 0,
      blockChecksum: (flg & 0x10) !== 0,
      contentChecksum: (flg & 0x04) !== 0,
      ...(flg & 0x08 ? { contentSize: d.readBigUInt64LE(2) } : {}),
      blockMax: blockMax!,
      produced: 0n,
      ...(flg & 0x04 ? { content: new Xxh32() } : {}),
    };
    if (this.buf.length < WINDOW + blockMax!) this.buf = Buffer.allocUnsafe(WINDOW + blockMax!);
    this.history = 0;
    this.state = 'block-size';
    return Buffer.alloc(0);
  }

  private peek(n: number): Buffer {
    const first = this.queue[this.qh]!;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.queue.slice(this.qh, this.qh + n)).subarray(0, n);
  }

  private onBlockSize(): Buffer | undefined {
    const b = this.take(4);
    if (!b) return undefined;
    const word = b.readUInt32LE(0);
    const f = this.frame!;
    if (word === 0) {
      if (f.contentSize !== undefined && f.contentSize !== f.produced)
        corrupt(`frame content size ${f.contentSize} but ${f.produced} bytes decoded`);
      this.state = f.contentChecksum ? 'content-checksum' : 'magic';
      if (!f.contentChecksum) this.frameDone();
      return Buffer.alloc(0);
    }
    this.blockRaw = (word & 0x80000000) !== 0;
    this.blockLen = word & 0x7fffffff;
    if (this.blockLen > f.blockMax)
      corrupt(`block of ${this.blockLen} bytes exceeds the frame's ${f.blockMax}-byte maximum`);
    this.state = 'block';
    return Buffer.alloc(0);
  }

  private onBlock(): Buffer | undefined {
    const f = this.frame!;
    const need = this.blockLen + (f.blockChecksum ? 4 : 0);
    if (this.queued < need) return undefined;
    const data = this.take(this.blockLen)!;
    if (f.blockChecksum) {
      const sum = this.take(4)!.readUInt32LE(0);
      const h = new Xxh32();
      h.update(data);
      if (h.digest() !== sum) corrupt('block checksum mismatch');
    }
    if (f.independent) this.history = 0;
    const start = this.history;
    const end = this.blockRaw
      ? this.copyRaw(data, start)
      : decodeBlock(data, this.buf, start, start + f.blockMax);
    f.produced += BigInt(end - start);
    f.content?.update(this.buf.subarray(start, end));
    let out = EMPTY;
    // Before the window moves below: the view is overwritten by the next block.
    if (this.sink) this.sink(this.buf.subarray(start, end));
    else {
      // A copy the caller may keep (buf is reused); allocUnsafeSlow skips the zero fill.
      out = Buffer.allocUnsafeSlow(end - start);
      out.set(this.buf.subarray(start, end));
    }
    // Keep the last 64 KiB as the window of the next (linked) block.
    const keep = Math.min(WINDOW, end);
    this.buf.copyWithin(0, end - keep, end);
    this.history = keep;
    this.state = 'block-size';
    return out;
  }

  private copyRaw(data: Buffer, start: number): number {
    data.copy(this.buf, start);
    return start + data.length;
  }

  private onContentChecksum(): Buffer | undefined {
    const b = this.take(4);
    if (!b) return undefined;
    if (this.frame!.content!.digest() !== b.readUInt32LE(0)) corrupt('content checksum mismatch');
    this.frameDone();
    this.state = 'magic';
    return Buffer.alloc(0);
  }

  private frameDone(): void {
    this.frames++;
    this.frame = undefined;
  }
}

/**
 * Decodes one LZ4 block into out[start, limit); returns the end offset. Every
 * read and copy is bounds-checked. Short literals and matches (most of them:
 * a few bytes each) are copied byte by byte; Buffer.copy / copyWithin cost a
 * native call each and only pay off for long runs. Lengths are read inline
 * (no tuple per token: the allocation showed as GC time in the profile).
 */
export function decodeBlock(src: Uint8Array, out: Uint8Array, start: number, limit: number): number {
  let ip = 0;
  let op = start;
  const n = src.length;
  for (;;) {
    if (ip >= n) corrupt('block ends before its last literals');
    const token = src[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (ip >= n) corrupt('truncated literal length');
        b = src[ip++]!;
        lit += b;
      } while (b === 255);
    }
    if (ip + lit > n) corrupt('literals run past the block');
    if (op + lit > limit) corrupt('block decodes to more than its maximum size');
    if (lit < 32) {
      for (let k = 0; k < lit; k++) out[op + k] = src[ip + k]!;
    } else {
      out.set(src.subarray(ip, ip + lit), op);
    }
    ip += lit;
    op += lit;
    if (ip === n) return op;
    if (ip + 2 > n) corrupt('truncated match offset');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) corrupt('match offset points before the window');
    let len = (token & 15) + 4;
    if (len === 19) {
      let b: number;
      do {
        if (ip >= n) corrupt('truncated match length');
        b = src[ip++]!;
        len += b;
      } while (b === 255);
    }
    if (op + len > limit) corrupt('block decodes to more than its maximum size');
    if (len < 64 || offset < 16) {
      // Forward byte copy: also right for overlapping matches (offset < len
      // repeats the last `offset` bytes), as the format defines them.
      let from = op - offset;
      const stop = op + len;
      while (op < stop) out[op++] = out[from++]!;
    } else {
      copyMatch(out, op, offset, len);
      op += len;
    }
  }
}

function copyMatch(out: Uint8Array, op: number, offset: number, len: number): void {
  let from = op - offset;
  if (offset >= len) {
    out.copyWithin(op, from, from + len);
    return;
  }
  // Overlapping: the match repeats the last `offset` bytes; copy in growing runs.
  let done = 0;
  while (done < len) {
    const k = Math.min(offset, len - done);
    out.copyWithin(op + done, from, from + k);
    done += k;
    offset += k;
    from = op + done - offset;
  }
}
