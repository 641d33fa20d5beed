// T2 benchmark input: a synthetic snapshot.tar.gz shaped like a plain
// pg_basebackup directory tarred with `tar -C backup .` (names "./…",
// base/<db>/<relfilenode>[.N] segments of at most 1 GiB, a backup_manifest
// with SHA256 checksums, last, as readdir order may put it), gzip level 1.
// Generated streaming, in bounded memory. deflate runs at ~20 MB/s on
// incompressible bytes, far too slow to make gigabytes per run, so the gzip
// file is a concatenation of members (RFC 1952; gzip -d, pigz and bgzip
// files are the same): four 8 MiB blocks of database-like pages are
// compressed once, and every data block is written as a small freshly
// compressed member holding its first page header (with the block number in
// it: no two blocks are equal) followed by the precompressed member of the
// rest. Tar headers and small files are compressed as they come. The file
// checksums and the digest of the compressed bytes are computed on the way.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const PAGE = 8 * KiB;
const BLOCK = 8 * MiB;
const SEGMENT = 1 * GiB;
const GZIP_LEVEL = 1;

export interface GeneratedSnapshot {
  snapshotPath: string;
  manifestPath: string;
  manifestYaml: string;
  compressedBytes: number;
  uncompressedBytes: number;
  sha256: string;
  files: number;
  seconds: number;
}

/**
 * A heap/index page: a header, line pointers, free space (zeros) in the
 * middle and tuples (random bytes: incompressible) at the end. `fill` is the
 * share of non-zero bytes; gzip -1 then gives roughly 1/fill.
 */
function makeBlock(fill: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const rnd = randomBytes(BLOCK);
  const used = Math.round(PAGE * fill);
  const head = 24 + 4 * 64; // page header + 64 line pointers
  for (let p = 0; p < BLOCK; p += PAGE) {
    rnd.copy(block, p, p, p + head);
    rnd.copy(block, p + PAGE - (used - head), p + PAGE - (used - head), p + PAGE);
  }
  return block;
}

interface FileSpec {
  name: string;
  size: number;
  text?: Buffer;
}

/** The backup's files: catalog-sized files, then two big relations split into 1 GiB segments. */
function layout(dataBytes: number): { dirs: string[]; files: FileSpec[] } {
  const dirs = [
    './',
    './base/',
    './base/1/',
    './base/5/',
    './base/16384/',
    './global/',
    './pg_wal/',
    './pg_xact/',
  ];
  const files: FileSpec[] = [
    { name: './PG_VERSION', size: 3, text: Buffer.from('15\n') },
    {
      name: './backup_label',
      size: 0,
      text: Buffer.from(
        'START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/2000060\nBACKUP METHOD: streamed\nBACKUP FROM: primary\nSTART TIME: 2024-01-01 00:00:00 UTC\nLABEL: pg_basebackup base backup\nSTART TIMELINE: 1\n',
      ),
    },
    { name: './global/pg_control', size: PAGE, text: pgControl() },
    // The WAL the backup's WAL-Ranges need (0/2000028..0/2000100): without it
    // the snapshot cannot be restored and the gate blocks (backup-wal-missing).
    { name: './pg_wal/000000010000000000000002', size: WAL_SEGMENT, text: walSegment(2) },
    { name: './pg_xact/0000', size: 32 * PAGE },
  ];
  let small = 0;
  for (const db of [1, 5, 16384]) {
    for (let i = 0; i < 60; i++) {
      const size = PAGE * (1 + ((i * 7) % 16));
      files.push({ name: `./base/${db}/${1247 + i}`, size });
      small += size;
    }
  }
  const big = Math.max(2 * PAGE, dataBytes - small);
  // Sizes in whole pages: a table of ~85% and its index of ~15%.
  const table = Math.ceil((big * 0.85) / PAGE) * PAGE;
  const index = Math.ceil((big - table) / PAGE) * PAGE || PAGE;
  for (const [rel, size] of [
    [16385, table],
    [16390, index],
  ] as const) {
    for (let seg = 0, left = size; left > 0; seg++, left -= SEGMENT) {
      files.push({ name: `./base/16384/${rel}${seg === 0 ? '' : `.${seg}`}`, size: Math.min(SEGMENT, left) });
    }
  }
  for (const f of files) if (f.text) f.size = f.text.length;
  return { dirs, files };
}

const WAL_SEGMENT = 16 * 1024 * 1024;
const SYSTEM_ID = 7_300_000_000_000_000_001n;

/** pg_control starts with the system identifier; the WAL must carry the same. */
function pgControl(): Buffer {
  const b = Buffer.alloc(PAGE);
  b.writeBigUInt64LE(SYSTEM_ID, 0);
  return b;
}

/** A PostgreSQL 15 WAL segment (magic 0xD110) of valid page headers and no records. */
function walSegment(segno: number): Buffer {
  const b = Buffer.alloc(WAL_SEGMENT);
  const start = BigInt(segno) * BigInt(WAL_SEGMENT);
  for (let off = 0; off < WAL_SEGMENT; off += PAGE) {
    b.writeUInt16LE(0xd110, off);
    b.writeUInt16LE(off === 0 ? 0x0002 : 0, off + 2); // XLP_LONG_HEADER on the first page
    b.writeUInt32LE(1, off + 4);
    b.writeBigUInt64LE(start + BigInt(off), off + 8);
  }
  b.writeBigUInt64LE(SYSTEM_ID, 24);
  b.writeUInt32LE(WAL_SEGMENT, 32);
  b.writeUInt32LE(PAGE, 36);
  return b;
}

function octal(buf: Buffer, off: number, len: number, value: number): void {
  buf.write(value.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

/** One POSIX ustar header (names here are all < 100 bytes). */
function tarHeader(name: string, size: number, dir: boolean): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, dir ? 0o700 : 0o600);
  octal(h, 108, 8, 26);
  octal(h, 116, 8, 26);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 1_704_067_200);
  h.fill(0x20, 148, 156);
  h.write(dir ? '5' : '0', 156, 1, 'latin1');
  h.write('ustar\u000000', 257, 8, 'latin1');
  h.write('postgres', 265, 32, 'latin1');
  h.write('postgres', 297, 32, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}

const pad = (size: number): Buffer => Buffer.alloc((512 - (size % 512)) % 512);

/** PostgreSQL's manifest layout; Manifest-Checksum covers everything before its own line. */
function backupManifest(entries: { path: string; size: number; sha256: string }[]): Buffer {
  const lines = entries.map(
    (e) =>
      `{ "Path": "${e.path}", "Size": ${e.size}, "Last-Modified": "2024-01-01 00:00:00 GMT", "Checksum-Algorithm": "SHA256", "Checksum": "${e.sha256}" }`,
  );
  const body = `{ "PostgreSQL-Backup-Manifest-Version": 1,\n"Files": [\n${lines.join(',\n')} ],\n"WAL-Ranges": [\n{ "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }\n],\n`;
  const sum = createHash('sha256').update(body).digest('hex');
  return Buffer.from(`${body}"Manifest-Checksum": "${sum}"}\n`);
}

/** Writes gzip members and keeps the counts and the digest of the compressed file. */
class MemberWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  readonly hash = createHash('sha256');
  compressed = 0;
  uncompressed = 0;

  constructor(private readonly out: WriteStream) {}

  /** Bytes to compress now (batched into one member). */
  async raw(b: Buffer): Promise<void> {
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.uncompressed += b.length;
    if (this.pendingBytes >= MiB) await this.flush();
  }

  /** A member compressed beforehand, standing for `uncompressedBytes` bytes. */
  async member(m: Buffer, uncompressedBytes: number): Promise<void> {
    await this.flush();
    this.uncompressed += uncompressedBytes;
    await this.write(m);
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const m = gzipSync(Buffer.concat(this.pending), { level: GZIP_LEVEL });
    this.pending = [];
    this.pendingBytes = 0;
    await this.write(m);
  }

  private async write(b: Buffer): Promise<void> {
    this.hash.update(b);
    this.compressed += b.length;
    if (!this.out.write(b)) await once(this.out, 'drain');
  }
}

/** The first bytes of a block (a page header) are compressed per block, with the block number in them. */
const HEAD = 24;

interface BaseBlock {
  block: Buffer;
  rest: Buffer;
  member: Buffer;
}

/** A data file's pages, block by block; returns the running block number. */
async function writeData(
  w: MemberWriter,
  size: number,
  bases: BaseBlock[],
  n: number,
  hash: Hash,
): Promise<number> {
  for (let left = size; left > 0;) {
    const base = bases[n % bases.length]!;
    n++;
    const len = Math.min(BLOCK, left);
    left -= len;
    if (len === BLOCK) {
      const head = Buffer.from(base.block.subarray(0, HEAD));
      head.writeUInt32LE(n, 4); // pd_lsn
      hash.update(head).update(base.rest);
      await w.raw(head);
      await w.member(base.member, BLOCK - HEAD);
    } else {
      const chunk = Buffer.from(base.block.subarray(0, len));
      for (let p = 0; p < len; p += PAGE) chunk.writeUInt32LE(n, p + 4);
      hash.update(chunk);
      await w.raw(chunk);
    }
  }
  return n;
}

async function writeTar(
  w: MemberWriter,
  dirs: string[],
  files: FileSpec[],
  bases: BaseBlock[],
): Promise<void> {
  const sums: { path: string; size: number; sha256: string }[] = [];
  for (const d of dirs) await w.raw(tarHeader(d, 0, true));
  let n = 0;
  for (const f of files) {
    await w.raw(tarHeader(f.name, f.size, false));
    const hash = createHash('sha256');
    if (f.text) {
      hash.update(f.text);
      await w.raw(f.text);
    } else {
      n = await writeData(w, f.size, bases, n, hash);
    }
    const p = pad(f.size);
    if (p.length) await w.raw(p);
    // pg_basebackup's manifest never lists pg_wal/ (WAL is checked by its page headers).
    if (!f.name.startsWith('./pg_wal/'))
      sums.push({ path: f.name.slice(2), size: f.size, sha256: hash.digest('hex') });
  }
  const manifest = backupManifest(sums);
  await w.raw(tarHeader('./backup_manifest', manifest.length, false));
  await w.raw(manifest);
  const p = pad(manifest.length);
  if (p.length) await w.raw(p);
  // End-of-archive: two zero blocks, then zeros up to tar's 10 KiB record.
  await w.raw(Buffer.alloc(Math.ceil((w.uncompressed + 1024) / 10240) * 10240 - w.uncompressed));
  await w.flush();
}

/** Writes `dir`/snapshot-<tag>.tar.gz of at least `minCompressedBytes`, and its replication manifest. */
export async function generateSnapshot(
  dir: string,
  minCompressedBytes: number,
  tag: string,
  fill = 0.5,
): Promise<GeneratedSnapshot> {
  const t0 = performance.now();
  const bases = Array.from({ length: 4 }, () => {
    const block = makeBlock(fill);
    const rest = block.subarray(HEAD);
    return { block, rest, member: gzipSync(rest, { level: GZIP_LEVEL }) };
  });
  // Aim 3% over the target with the ratio gzip -1 gives these pages.
  const ratio = BLOCK / bases[0]!.member.length;
  const { dirs, files } = layout(Math.ceil(minCompressedBytes * ratio * 1.03));
  const snapshotPath = join(dir, `snapshot-${tag}.tar.gz`);
  const out = createWriteStream(snapshotPath, { highWaterMark: 4 * MiB });
  const w = new MemberWriter(out);
  try {
    await writeTar(w, dirs, files, bases);
  } finally {
    out.end();
    await once(out, 'close');
  }
  const sha256 = w.hash.digest('hex');
  if (w.compressed < minCompressedBytes)
    throw new Error(`generated ${w.compressed} compressed bytes, wanted at least ${minCompressedBytes}`);
  const manifestYaml = `source_db: bench-orders-old\ntarget_db: bench-orders-new\nexpected_snapshot_hash: 'sha256:${sha256}'\nsync_mode: async\nenv: staging\n`;
  const manifestPath = join(dir, `replication_manifest-${tag}.yaml`);
  await writeFile(manifestPath, manifestYaml);
  return {
    snapshotPath,
    manifestPath,
    manifestYaml,
    sha256,
    compressedBytes: w.compressed,
    uncompressedBytes: w.uncompressed,
    files: files.length + 1,
    seconds: (performance.now() - t0) / 1000,
  };
}
