// XXH32 (the checksum of the LZ4 frame format: header, block and content
// checksums). Streamed: any chunking gives the same digest.
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

export class Xxh32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private readonly tail = Buffer.alloc(16);
  private tailLen = 0;
  private total = 0;

  constructor(private readonly seed = 0) {
    this.v1 = (seed + P1 + P2) >>> 0;
    this.v2 = (seed + P2) >>> 0;
    this.v3 = seed >>> 0;
    this.v4 = (seed - P1) >>> 0;
  }

  update(data: Uint8Array): void {
    this.total += data.length;
    let i = 0;
    if (this.tailLen > 0) {
      const take = Math.min(16 - this.tailLen, data.length);
      this.tail.set(data.subarray(0, take), this.tailLen);
      this.tailLen += take;
      i = take;
      if (this.tailLen < 16) return;
      this.stripes(this.tail, 0, 16);
      this.tailLen = 0;
    }
    const whole = i + ((data.length - i) & ~15);
    if (whole > i) {
      const at = data.byteOffset + i;
      // Aligned input (the decoder's own blocks always are) is read as words.
      if (LITTLE_ENDIAN && (at & 3) === 0)
        this.wordStripes(new Int32Array(data.buffer, at, (whole - i) >> 2));
      else this.stripes(data, i, whole);
    }
    i = whole;
    if (i < data.length) {
      this.tail.set(data.subarray(i), 0);
      this.tailLen = data.length - i;
    }
  }

  /** stripes() over 32-bit words: one load per lane instead of four and three shifts. */
  private wordStripes(w: Int32Array): void {
    let v1 = this.v1;
    let v2 = this.v2;
    let v3 = this.v3;
    let v4 = this.v4;
    const n = w.length;
    for (let i = 0; i < n; i += 4) {
      v1 = (v1 + Math.imul(w[i]!, P2)) | 0;
      v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
      v2 = (v2 + Math.imul(w[i + 1]!, P2)) | 0;
      v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
      v3 = (v3 + Math.imul(w[i + 2]!, P2)) | 0;
      v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
      v4 = (v4 + Math.imul(w[i + 3]!, P2)) | 0;
      v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
    }
    this.v1 = v1 >>> 0;
    this.v2 = v2 >>> 0;
    this.v3 = v3 >>> 0;
    this.v4 = v4 >>> 0;
  }

  /**
   * The hot loop: every 16-byte stripe of b[from, to). The lanes live in
   * locals and the words are assembled from bytes (no Buffer.readUInt32LE:
   * its bounds check and call cost dominated the profile).
   */
  private stripes(b: Uint8Array, from: number, to: number): void {
    let v1 = this.v1;
    let v2 = this.v2;
    let v3 = this.v3;
    let v4 = this.v4;
    for (let i = from; i < to; i += 16) {
      let w = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
      v1 = (v1 + Math.imul(w, P2)) | 0;
      v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
      w = b[i + 4]! | (b[i + 5]! << 8) | (b[i + 6]! << 16) | (b[i + 7]! << 24);
      v2 = (v2 + Math.imul(w, P2)) | 0;
      v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
      w = b[i + 8]! | (b[i + 9]! << 8) | (b[i + 10]! << 16) | (b[i + 11]! << 24);
      v3 = (v3 + Math.imul(w, P2)) | 0;
      v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
      w = b[i + 12]! | (b[i + 13]! << 8) | (b[i + 14]! << 16) | (b[i + 15]! << 24);
      v4 = (v4 + Math.imul(w, P2)) | 0;
      v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
    }
    this.v1 = v1 >>> 0;
    this.v2 = v2 >>> 0;
    this.v3 = v3 >>> 0;
    this.v4 = v4 >>> 0;
  }

  digest(): number {
    let h =
      this.total >= 16
        ? (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) >>> 0
        : (this.seed + P5) >>> 0;
    h = (h + this.total) >>> 0;
    let i = 0;
    for (; i + 4 <= this.tailLen; i += 4)
      h = Math.imul(rotl((h + Math.imul(this.tail.readUInt32LE(i), P3)) >>> 0, 17), P4) >>> 0;
    for (; i < this.tailLen; i++) h = Math.imul(rotl((h + Math.imul(this.tail[i]!, P5)) >>> 0, 11), P1) >>> 0;
    h = Math.imul(h ^ (h >>> 15), P2) >>> 0;
    h = Math.imul(h ^ (h >>> 13), P3) >>> 0;
    return (h ^ (h >>> 16)) >>> 0;
  }
}

export function xxh32(data: Uint8Array, seed = 0): number {
  const h = new Xxh32(seed);
  h.update(data);
  return h.digest();
}
