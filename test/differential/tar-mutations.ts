// Header-level mutations of real and synthetic tar archives (fast-check): the
// fields readers parse differently, data that is itself a header, extension
// blocks (PAX, GNU long names) with odd names and records.
import fc from 'fast-check';
import {
  dirEntry,
  fileEntry,
  gnuLongName,
  pad,
  paxEntry,
  rechecksum,
  tarHeader,
} from '../support/pg/tar-builder.js';

export const NAMES = [
  'a',
  'a/',
  'base/1/f',
  'PG_VERSION',
  'base/',
  './a',
  './',
  '.',
  '..',
  '../x',
  '../../x',
  '../../../x',
  '/etc/x',
  'dir/../../x',
  'a//b',
  'a/./b',
  'a/.',
  'a\0b',
  'a\0../../x',
  'a/b/c/',
  'C:/x',
  'a\\b',
  'caf\u00e9',
  'x'.repeat(100),
  `${'y'.repeat(99)}/`,
  '././@LongLink',
  'PaxHeader',
];
const TYPEFLAGS = ['0', '\0', '1', '2', '3', '4', '5', '6', '7', 'x', 'g', 'L', 'K', 'S', 'A', 'D', 'M', 'V'];
const MAGICS = ['ustar\u000000', 'ustar  \u0000', '\0\0\0\0\0\0\0\0', 'ustar\u0000xx', 'ustar \u0000 '];
const LINKS = ['', '/etc/shadow', '../../x', 'a', 'base/1/f'];

export type Mutation =
  | { op: 'name' | 'prefix' | 'linkname'; at: number; value: string }
  | { op: 'typeflag'; at: number; value: string }
  | { op: 'size'; at: number; value: Buffer }
  | { op: 'mode'; at: number; value: string }
  | { op: 'magic'; at: number; value: string }
  | { op: 'byte'; at: number; pos: number; value: number }
  | {
      op: 'smuggle';
      at: number;
      outer: string;
      outerType: string;
      inner: string;
      innerType: string;
      link: string;
    }
  | { op: 'pax'; at: number; blockName: string; records: Record<string, string>; global: boolean }
  | { op: 'longname'; at: number; value: string; raw: boolean };

export interface Case {
  base: string;
  tar: Buffer;
  mutations: Mutation[];
  checksum: 'unsigned' | 'signed' | 'keep';
}

const name = fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[a-z./]{1,12}$/));
const at = fc.nat(7);
const sizeField = fc.oneof(
  fc.nat(4096).map((n) => Buffer.from(`${n.toString(8).padStart(11, '0')}\0`, 'latin1')),
  fc
    .constantFrom(
      '00000000000\0',
      '           ',
      '1\0 7\0\0\0\0\0\0\0\0',
      '0000000001000',
      '-1\0\0\0\0\0\0\0\0\0\0',
      '\0\0\0\0\0\0\0\0\0\0\0\0',
    )
    .map((s) => Buffer.from(s, 'latin1')),
  fc.nat(2048).map((n) => {
    const b = Buffer.alloc(12);
    b[0] = 0x80;
    b.writeUInt16BE(n, 10);
    return b;
  }),
);
const paxRecords = fc.dictionary(
  fc.constantFrom(
    'path',
    'linkpath',
    'size',
    'mtime',
    'uid',
    'hdrcharset',
    'GNU.sparse.size',
    'SCHILY.xattr.user.x',
    'comment',
  ),
  fc.oneof(name, fc.nat(2048).map(String), fc.constant('BINARY')),
  { maxKeys: 3 },
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constantFrom('name' as const, 'prefix' as const, 'linkname' as const),
    at,
    value: name,
  }),
  fc.record({ op: fc.constant('typeflag' as const), at, value: fc.constantFrom(...TYPEFLAGS) }),
  fc.record({ op: fc.constant('size' as const), at, value: sizeField }),
  fc.record({
    op: fc.constant('mode' as const),
    at,
    value: fc.constantFrom(
      '0000644\0',
      '0004755\0',
      '0100644\0',
      '0000777 ',
      '00006x4\0',
      '\0\0\0\0\0\0\0\0',
    ),
  }),
  fc.record({ op: fc.constant('magic' as const), at, value: fc.constantFrom(...MAGICS) }),
  fc.record({ op: fc.constant('byte' as const), at, pos: fc.nat(511), value: fc.nat(255) }),
  fc.record({
    op: fc.constant('smuggle' as const),
    at,
    outer: fc.constantFrom('x/', 'base/', 'x', 'dir/f'),
    outerType: fc.constantFrom('0', '\0', '5', 'x'),
    inner: name,
    innerType: fc.constantFrom('0', '2', '1', '5', '3'),
    link: fc.constantFrom(...LINKS),
  }),
  fc.record({
    op: fc.constant('pax' as const),
    at,
    blockName: fc.constantFrom('PaxHeader', '../../pax', '/tmp/pax', 'PaxHeaders/x/', 'a'),
    records: paxRecords,
    global: fc.boolean(),
  }),
  fc.record({ op: fc.constant('longname' as const), at, value: name, raw: fc.boolean() }),
);

/** Offsets of the header blocks (stops at the end marker or at anything unparsable). */
export function headerOffsets(t: Buffer): number[] {
  const out: number[] = [];
  let o = 0;
  while (o + 512 <= t.length && out.length < 64) {
    const h = t.subarray(o, o + 512);
    if (h.every((b) => b === 0)) break;
    out.push(o);
    const s = Buffer.from(h.subarray(124, 136)).toString('latin1').replace(/[\0 ]/g, '');
    const size = /^[0-7]+$/.test(s) ? parseInt(s, 8) : 0;
    o += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

function field(h: Buffer, off: number, len: number, value: string): void {
  h.fill(0, off, off + len);
  Buffer.from(value, 'utf8').subarray(0, len).copy(h, off);
}

export function applyMutations(tar: Buffer, mutations: Mutation[], checksum: Case['checksum']): Buffer {
  let t = Buffer.from(tar);
  for (const m of mutations) {
    const offs = headerOffsets(t);
    if (offs.length === 0) break;
    const o = offs[m.at % offs.length]!;
    const h = t.subarray(o, o + 512);
    const insert = (b: Buffer): void => {
      t = Buffer.concat([t.subarray(0, o), b, t.subarray(o)]);
    };
    switch (m.op) {
      case 'smuggle': {
        const inner = tarHeader({ name: 'i', typeflag: m.innerType, linkname: m.link });
        field(inner, 0, 100, m.inner);
        rechecksum(inner);
        insert(fileEntry(m.outer, Buffer.concat([inner, Buffer.alloc(512)]), { typeflag: m.outerType }));
        continue;
      }
      case 'pax': {
        const p = paxEntry(m.records, m.global);
        field(p, 0, 100, m.blockName);
        rechecksum(p);
        insert(p);
        continue;
      }
      case 'longname':
        insert(m.raw ? gnuLongName('', Buffer.from(m.value, 'utf8')) : gnuLongName(m.value));
        continue;
      default:
        mutateField(h, m);
    }
    if (checksum !== 'keep') rechecksum(h, checksum === 'signed');
  }
  return t;
}

function mutateField(h: Buffer, m: Exclude<Mutation, { op: 'smuggle' | 'pax' | 'longname' }>): void {
  switch (m.op) {
    case 'name':
      return field(h, 0, 100, m.value);
    case 'prefix':
      return field(h, 345, 155, m.value);
    case 'linkname':
      return field(h, 157, 100, m.value);
    case 'typeflag':
      h[156] = m.value.charCodeAt(0);
      return;
    case 'size':
      m.value.copy(h, 124);
      return;
    case 'mode':
      Buffer.from(m.value, 'latin1').copy(h, 100);
      return;
    case 'magic':
      Buffer.from(m.value, 'latin1').copy(h, 257);
      return;
    case 'byte':
      if (m.pos < 148 || m.pos >= 156) h[m.pos] = m.value;
  }
}

/** Small synthetic archives in ustar or GNU format, as writers produce them. */
export const synthetic: fc.Arbitrary<Buffer> = fc
  .record({
    format: fc.constantFrom('ustar' as const, 'gnu' as const),
    entries: fc.array(
      fc.record({
        dir: fc.boolean(),
        name: fc.constantFrom(
          'base',
          'base/1',
          'global',
          'PG_VERSION',
          'base/1/1259',
          'pg_wal',
          'backup_label',
          './x',
          'y',
        ),
        data: fc.string({ maxLength: 700 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ format, entries }) =>
    Buffer.concat([
      ...entries.map((e) =>
        e.dir ? rechecksumFormat(dirEntry(e.name), format) : fileEntry(e.name, e.data, { format }),
      ),
      Buffer.alloc(1024),
    ]),
  );

function rechecksumFormat(h: Buffer, format: 'ustar' | 'gnu'): Buffer {
  if (format === 'ustar') return h;
  Buffer.from('ustar  \0', 'latin1').copy(h, 257);
  return rechecksum(h);
}

export { pad };
