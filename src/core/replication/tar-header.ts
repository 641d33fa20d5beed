// Decoding one 512-byte tar header block (POSIX ustar and GNU). Strict on
// purpose: a bad checksum, a non-octal size or an unknown format is a corrupt
// archive, never a guess, because two readers guessing differently is how
// files get smuggled past a verifier. Beyond that, every field that GNU tar,
// bsdtar, Python tarfile and Go archive/tar could read differently is refused
// as [archive-ambiguous] (see header-strictness.ts); the differential fuzz
// test (test/differential/) holds this to the real readers.
import { fail } from './findings.js';
import { checkHeaderStrictness, nulTerminatedText } from './header-strictness.js';

export type EntryKind =
  | 'file'
  | 'directory'
  | 'hardlink'
  | 'symlink'
  | 'char-device'
  | 'block-device'
  | 'fifo'
  | 'pax'
  | 'pax-global'
  | 'gnu-long-name'
  | 'gnu-long-link'
  | 'unsupported';

export interface RawHeader {
  name: string;
  linkname: string;
  size: number;
  kind: EntryKind;
  typeflag: string;
  format: 'ustar' | 'gnu';
  /** The name field filled all 100 bytes (no NUL): only acceptable as GNU's truncated copy of a long name. */
  nameUnterminated: boolean;
}

const KINDS: Record<string, EntryKind> = {
  '0': 'file',
  '\0': 'file',
  '5': 'directory',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '6': 'fifo',
  x: 'pax',
  g: 'pax-global',
  L: 'gnu-long-name',
  K: 'gnu-long-link',
};

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

export function decodeHeader(block: Uint8Array, offset: number): RawHeader {
  const where = `tar header at byte ${offset}`;
  if (!checksumMatches(block, where))
    fail('archive-corrupt', `${where}: header checksum mismatch (not a tar header, or corrupted)`);
  const format = formatOf(block);
  if (!format)
    fail(
      'archive-corrupt',
      `${where}: unknown tar format (neither POSIX ustar nor GNU; old V7 headers are refused)`,
    );
  let name = nulTerminatedText(block.subarray(0, 100), `${where}: name`);
  checkHeaderStrictness(block, format, where, name);
  // POSIX ustar splits long names into prefix "/" name; GNU uses that space for
  // other fields, and checkHeaderStrictness has made sure it is empty there.
  if (format === 'ustar') {
    const prefix = nulTerminatedText(block.subarray(345, 500), `${where}: prefix`);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const typeflag = String.fromCharCode(block[156]!);
  return {
    name,
    linkname: nulTerminatedText(block.subarray(157, 257), `${where}: linkname`),
    size: numeric(block.subarray(124, 136), `${where} (${JSON.stringify(name.slice(0, 100))}): size`),
    kind: KINDS[typeflag] ?? 'unsupported',
    typeflag,
    format,
    nameUnterminated: block.subarray(0, 100).indexOf(0) < 0,
  };
}

function checksumMatches(block: Uint8Array, where: string): boolean {
  const stored = numeric(block.subarray(148, 156), 'tar header checksum', true);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored === unsigned) return true;
  // Historic writers summed signed chars; readers differ on accepting that.
  if (stored === signed)
    fail(
      'archive-ambiguous',
      `${where}: the checksum matches only the historic signed-char sum; readers disagree on accepting it`,
    );
  return false;
}

function formatOf(block: Uint8Array): 'ustar' | 'gnu' | undefined {
  const magic = Buffer.from(block.subarray(257, 265)).toString('latin1');
  if (magic === 'ustar\u000000') return 'ustar';
  if (magic === 'ustar  \u0000') return 'gnu';
  return undefined;
}

/** Octal, space/NUL terminated. GNU base-256 (high bit set) is refused: readers differ on it. */
export function numeric(field: Uint8Array, what: string, lenient = false): number {
  if (field[0]! & 0x80) {
    if (lenient) return -1;
    fail('archive-ambiguous', `${what}: a base-256 (binary) number; readers disagree on those`);
  }
  const raw = Buffer.from(field).toString('latin1');
  // Digits, then only NUL/space: "12\0 34" is 12 to Python and an error to Go.
  if (!/^ *[0-7]+[ \0]*$/.test(raw)) {
    if (lenient) return -1;
    fail('archive-corrupt', `${what}: not an octal number`);
  }
  const v = parseInt(raw.trim().replace(/\0+$/, '').trim(), 8);
  if (!Number.isSafeInteger(v)) fail('archive-corrupt', `${what}: number too large`);
  return v;
}
