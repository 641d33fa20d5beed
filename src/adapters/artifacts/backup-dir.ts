// A pg_basebackup output directory on disk, as the core's native-backup
// input: backup_manifest read whole (it is pinned and parsed first), each
// tar opened lazily when the core asks for it. A tar-format directory (-Ft)
// is passed as it is; a plain-format one (-Fp) is tarred on the fly, in
// name order, as base.tar plus one <oid>.tar per pg_tblspc/<oid> link, the
// shape -Ft writes. Nothing is extracted or copied.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { GateError } from '../../core/errors.js';
import type { ByteSource } from '../../core/ports/artifacts.js';

export interface BackupDirFile {
  name: string;
  open(): Promise<ByteSource>;
}

export interface BackupDir {
  manifestBytes: Uint8Array;
  files: BackupDirFile[];
  format: 'tar' | 'plain';
}

const MAX_MANIFEST_BYTES = 128 * 1024 * 1024;
const SMALL_FILE = 256 * 1024;

export async function readBackupDir(dir: string): Promise<BackupDir> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch {
    throw new GateError('artifact-unavailable', `backup directory ${path.basename(dir)} cannot be read`);
  }
  if (!names.includes('backup_manifest'))
    throw new GateError(
      'artifact-unavailable',
      `backup directory ${path.basename(dir)} has no backup_manifest (pg_basebackup writes one unless --no-manifest)`,
    );
  const mstat = await fs.stat(path.join(dir, 'backup_manifest'));
  if (mstat.size > MAX_MANIFEST_BYTES)
    throw new GateError(
      'payload-too-large',
      `backup_manifest is ${mstat.size} bytes; the limit is ${MAX_MANIFEST_BYTES}`,
    );
  const manifestBytes = await fs.readFile(path.join(dir, 'backup_manifest'));
  // Plain format has PG_VERSION at the top; tar format has only tars beside the manifest.
  if (names.includes('PG_VERSION')) return { manifestBytes, files: await plainFiles(dir), format: 'plain' };
  const files = names
    .filter((n) => n !== 'backup_manifest' && !n.startsWith('.'))
    .map((name) => ({
      name,
      open: async (): Promise<ByteSource> => {
        const file = path.join(dir, name);
        const st = await fs.lstat(file);
        if (!st.isFile())
          throw new GateError(
            'artifact-unavailable',
            `${name} in the backup directory is not a regular file`,
          );
        return { stream: createReadStream(file, { highWaterMark: 1024 * 1024 }), size: st.size, name };
      },
    }));
  return { manifestBytes, files, format: 'tar' };
}

async function plainFiles(dir: string): Promise<BackupDirFile[]> {
  const tblspc = path.join(dir, 'pg_tblspc');
  const links = (await fs.readdir(tblspc).catch(() => [] as string[]))
    .filter((n) => /^[1-9][0-9]*$/.test(n))
    .sort();
  const files: BackupDirFile[] = [
    {
      name: 'base.tar',
      open: async () => tarSource('base.tar', dir, new Set(links.map((l) => `pg_tblspc/${l}`))),
    },
  ];
  for (const oid of links) {
    const link = path.join(tblspc, oid);
    files.push({
      name: `${oid}.tar`,
      open: async () => tarSource(`${oid}.tar`, await fs.realpath(link), new Set()),
    });
  }
  return files;
}

function tarSource(name: string, root: string, skip: ReadonlySet<string>): ByteSource {
  return { stream: tarStream(root, skip), name };
}

/** A POSIX ustar stream of `root` (PAX headers for long names); entries in name order. */
async function* tarStream(root: string, skip: ReadonlySet<string>): AsyncGenerator<Uint8Array> {
  for await (const e of walk(root, '', skip)) {
    const st = e.stat;
    if (st.isDirectory()) {
      yield* header(`${e.rel}/`, '5', 0, st.mtimeMs, '');
    } else if (st.isSymbolicLink()) {
      // Passed on as a link: the gate's archive rules refuse it by name.
      yield* header(e.rel, '2', 0, st.mtimeMs, await fs.readlink(path.join(root, e.rel)));
    } else if (st.isFile()) {
      yield* header(e.rel, '0', st.size, st.mtimeMs, '');
      if (st.size <= SMALL_FILE) {
        // Most of a data directory is small files: one read each, not a stream.
        const data = await fs.readFile(path.join(root, e.rel));
        if (data.length !== st.size) throw new Error(`${e.rel} changed size while being read`);
        yield data;
        if (st.size % 512 !== 0) yield Buffer.alloc(512 - (st.size % 512));
        continue;
      }
      let sent = 0;
      for await (const chunk of createReadStream(path.join(root, e.rel), { highWaterMark: 1024 * 1024 })) {
        const c = chunk as Buffer;
        sent += c.length;
        if (sent > st.size) throw new Error(`${e.rel} grew while being read`);
        yield c;
      }
      if (sent !== st.size) throw new Error(`${e.rel} shrank while being read`);
      if (st.size % 512 !== 0) yield Buffer.alloc(512 - (st.size % 512));
    } else {
      yield* header(e.rel, '6', 0, st.mtimeMs, '');
    }
  }
  yield Buffer.alloc(1024);
}

async function* walk(
  root: string,
  rel: string,
  skip: ReadonlySet<string>,
): AsyncGenerator<{ rel: string; stat: import('node:fs').Stats }> {
  const names = (await fs.readdir(path.join(root, rel))).sort();
  for (const n of names) {
    const r = rel === '' ? n : `${rel}/${n}`;
    if (rel === '' && n === 'backup_manifest') continue;
    if (skip.has(r)) continue;
    const stat = await fs.lstat(path.join(root, r));
    yield { rel: r, stat };
    if (stat.isDirectory()) yield* walk(root, r, skip);
  }
}

function* header(
  name: string,
  type: string,
  size: number,
  mtimeMs: number,
  linkname: string,
): Generator<Uint8Array> {
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(linkname) > 100) {
    const records = [`path=${name}`, ...(linkname ? [`linkpath=${linkname}`] : [])].map(paxRecord).join('');
    const body = Buffer.from(records, 'utf8');
    yield ustar('././@PaxHeader', 'x', body.length, mtimeMs, '');
    yield Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
    yield ustar(truncateUtf8(name, 100), type, size, mtimeMs, truncateUtf8(linkname, 100));
    return;
  }
  yield ustar(name, type, size, mtimeMs, linkname);
}

function paxRecord(kv: string): string {
  const body = ` ${kv}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len)
    len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function truncateUtf8(s: string, n: number): string {
  return Buffer.from(s, 'utf8')
    .subarray(0, n)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

function ustar(name: string, type: string, size: number, mtimeMs: number, linkname: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(type === '5' ? '0000700\0' : '0000600\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write(
    `${Math.floor(mtimeMs / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
    'ascii',
  );
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}
