// The lz4 frame decoder against the real lz4(1) CLI: for every frame option
// lz4 writes (linked or independent blocks, block checksums, content
// checksum on/off, content size, block sizes), concatenated and skippable
// frames, and for corrupted and truncated copies, our decoder and `lz4 -dc`
// agree: same bytes out when lz4 accepts, a refusal when lz4 refuses. Where
// we refuse more (a flipped byte lz4 cannot see without checksums is not a
// case: we then must produce lz4's very output), the test says so.
import { spawnSync, execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { Lz4FrameDecoder } from '../../../src/core/replication/lz4-frame.js';
import { xxh32, Xxh32 } from '../../../src/core/replication/xxh32.js';

/** views: through pushTo (blocks as views of the decoder's buffer, copied here as they come). */
function ours(
  lz: Buffer,
  chunk = 1 << 16,
  views = false,
): { ok: true; out: Buffer } | { ok: false; err: string } {
  try {
    const d = new Lz4FrameDecoder();
    const parts: Buffer[] = [];
    for (let i = 0; i < lz.length; i += chunk) {
      const c = lz.subarray(i, i + chunk);
      if (views) d.pushTo(c, (b) => parts.push(Buffer.from(b)));
      else parts.push(...d.push(c));
    }
    d.end();
    return { ok: true, out: Buffer.concat(parts) };
  } catch (e) {
    return { ok: false, err: (e as Error).message };
  }
}

function theirs(lz: Buffer): { ok: boolean; out: Buffer } {
  const r = spawnSync('lz4', ['-d', '-c', '-q'], { input: lz, maxBuffer: 1 << 28 });
  return { ok: r.status === 0, out: r.stdout };
}

/** Text-like runs, short-offset overlaps (offset < match length), incompressible bytes and long zero runs. */
function sample(): Buffer {
  let x = 12345;
  const rnd = (): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  return Buffer.concat([
    Buffer.from("INSERT INTO pgbench_accounts VALUES (1, 1, 0, '');\n".repeat(3000)),
    Buffer.from(Array.from({ length: 200_000 }, rnd)),
    Buffer.alloc(300_000),
    Buffer.from('ab'.repeat(40_000)),
    Buffer.from('abc'.repeat(30_000)),
    Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i % 97 < 60 ? rnd() : i & 0xff))),
  ]);
}

const FRAME_OPTIONS: string[][] = [
  [],
  ['-BD'],
  ['-BI'],
  ['-B4', '-BX'],
  ['-B5', '--no-frame-crc'],
  ['-B6', '-BD', '--content-size'],
  ['-B7', '-BX', '--no-frame-crc', '-BD'],
  ['-1', '-B4'],
  ['-12', '-BD'],
];

describe('lz4 frame decoder, differential with lz4(1)', function () {
  this.timeout(120_000);
  const data = sample();

  it("every frame option lz4 writes decodes to lz4 -dc's bytes, in any chunking", () => {
    for (const args of FRAME_OPTIONS) {
      const lz = execFileSync('lz4', ['-q', '-c', ...args], { input: data, maxBuffer: 1 << 28 });
      const ref = theirs(lz);
      expect(ref.ok, args.join(' ')).to.equal(true);
      for (const chunk of [1 << 20, 65_537, 4097, 7]) {
        for (const views of [false, true]) {
          const r = ours(lz, chunk, views);
          expect(
            r.ok && r.out.equals(ref.out),
            `${args.join(' ')} / chunk ${chunk} / views ${views}`,
          ).to.equal(true);
        }
      }
    }
  });

  it('concatenated frames and skippable frames read as lz4 reads them', () => {
    const a = execFileSync('lz4', ['-q', '-c', '-BD'], { input: data.subarray(0, 400_000) });
    const b = execFileSync('lz4', ['-q', '-c', '-B4', '-BX'], { input: data.subarray(400_000) });
    const skip = Buffer.alloc(8 + 13);
    skip.writeUInt32LE(0x184d2a5a, 0);
    skip.writeUInt32LE(13, 4);
    for (const stream of [Buffer.concat([a, b]), Buffer.concat([skip, a, skip, b, skip])]) {
      const ref = theirs(stream);
      const r = ours(stream);
      expect(ref.ok).to.equal(true);
      expect(r.ok && r.out.equals(ref.out) && r.out.equals(data)).to.equal(true);
    }
  });

  it('truncated frames: lz4 and we both refuse, at every cut point sampled', () => {
    for (const args of [[], ['-BD', '--no-frame-crc'], ['-B4', '-BX']]) {
      const lz = execFileSync('lz4', ['-q', '-c', ...args], { input: data });
      for (let cut = 1; cut < lz.length; cut += Math.max(1, Math.floor(lz.length / 97))) {
        const t = lz.subarray(0, cut);
        expect(theirs(t).ok, `lz4 on cut ${cut}`).to.equal(false);
        expect(ours(t).ok, `${args.join(' ')} cut ${cut}`).to.equal(false);
      }
    }
  });

  it("corrupt bytes: whenever lz4 refuses we refuse; whenever we accept, the bytes equal lz4's", () => {
    let bothRefused = 0;
    for (const args of [[], ['-BD', '--no-frame-crc'], ['-B4', '-BX'], ['-BD', '--content-size']]) {
      const lz = execFileSync('lz4', ['-q', '-c', ...args], { input: data });
      for (let at = 0; at < lz.length; at += Math.max(1, Math.floor(lz.length / 61))) {
        const bad = Buffer.from(lz);
        bad[at]! ^= 0x5a;
        const ref = theirs(bad);
        const r = ours(bad);
        if (!ref.ok) {
          expect(r.ok, `${args.join(' ')} flip at ${at}: lz4 refuses`).to.equal(false);
          bothRefused++;
        }
        // Without checksums a flipped literal decodes silently in lz4 too: then the bytes must match.
        if (r.ok) expect(ref.ok && r.out.equals(ref.out), `${args.join(' ')} flip at ${at}`).to.equal(true);
      }
    }
    expect(bothRefused).to.be.greaterThan(50);
  });

  it('wrong checksums are refused by name (content, block, header)', () => {
    const withContent = execFileSync('lz4', ['-q', '-c'], { input: data });
    const c = Buffer.from(withContent);
    c[c.length - 1]! ^= 1;
    expect(theirs(c).ok).to.equal(false);
    expect(ours(c)).to.deep.include({ ok: false, err: 'lz4: content checksum mismatch' });
    const withBlock = execFileSync('lz4', ['-q', '-c', '-B4', '-BX', '--no-frame-crc'], { input: data });
    const b = Buffer.from(withBlock);
    const firstBlockLen = b.readUInt32LE(7) & 0x7fffffff;
    b[7 + 4 + firstBlockLen]! ^= 1; // the first block's checksum
    expect(theirs(b).ok).to.equal(false);
    expect(ours(b)).to.deep.include({ ok: false, err: 'lz4: block checksum mismatch' });
    const h = Buffer.from(withContent);
    h[6]! ^= 1; // the header checksum byte
    expect(theirs(h).ok).to.equal(false);
    expect(ours(h)).to.deep.include({ ok: false, err: 'lz4: frame header checksum mismatch' });
  });

  it('xxh32: the word loop (aligned) and the byte loop (unaligned) give the same digest in any chunking', () => {
    const whole = xxh32(data);
    for (const shift of [0, 1, 2, 3]) {
      const copy = Buffer.alloc(data.length + shift);
      data.copy(copy, shift);
      const view = copy.subarray(shift);
      expect(xxh32(view), `offset ${shift}`).to.equal(whole);
      const h = new Xxh32();
      for (let i = 0; i < view.length; i += 4093) h.update(view.subarray(i, i + 4093));
      expect(h.digest(), `chunked, offset ${shift}`).to.equal(whole);
    }
  });
});
