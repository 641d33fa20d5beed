// XXH32 (the checksum of the LZ4 frame format: header, block and content
// checksums). Streamed: any chunking gives the same digest.
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
const round = (acc: number, lane: number): number =>
  Math.imul(rotl((acc + Math.imul(lane, P2)) >>> 0, 13), P1) >>> 0;

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
      this.stripe(this.tail, 0);
      this.tailLen = 0;
    }
    const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    for (; i + 16 <= data.length; i += 16) this.stripe(view, i);
    if (i < data.length) {
      this.tail.set(data.subarray(i), 0);
      this.tailLen = data.length - i;
    }
  }

  private stripe(b: Buffer, i: number): void {
    this.v1 = round(this.v1, b.readUInt32LE(i));
    this.v2 = round(this.v2, b.readUInt32LE(i + 4));
    this.v3 = round(this.v3, b.readUInt32LE(i + 8));
    this.v4 = round(this.v4, b.readUInt32LE(i + 12));
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
