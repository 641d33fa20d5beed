// Decoding one 512-byte tar header block (POSIX ustar and GNU). Strict on
// purpose: a bad checksum, a non-octal size or an unknown format is a corrupt
// archive, never a guess, because two readers guessing differently is how
// files get smuggled past a verifier.
import { fail } from './findings.js';

export type EntryKind =
  | 'file' | 'directory' | 'hardlink' | 'symlink' | 'char-device' | 'block-device' | 'fifo'
  | 'pax' | 'pax-global' | 'gnu-long-name' | 'gnu-long-link' | 'unsupported';

export interface RawHeader {
  name: string;
  linkname: string;
  size: number;
  kind: EntryKind;
  typeflag: string;
  format: 'ustar' | 'gnu';
}

const KINDS: Record<string, EntryKind> = {
  '0': 'file', '\0': 'file', '7': 'file', '5': 'directory', '1': 'hardlink', '2': 'symlink',
  '3': 'char-device', '4': 'block-device', '6': 'fifo', x: 'pax', g: 'pax-global', L: 'gnu-long-name', K: 'gnu-long-link',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

export function decodeHeader(block: Uint8Array, offset: number): RawHeader {
  const where = `tar header at byte ${offset}`;
  if (!checksumMatches(block)) fail('archive-corrupt', `${where}: header checksum mismatch (not a tar header, or corrupted)`);
  const format = formatOf(block);
  if (!format) fail('archive-corrupt', `${where}: unknown tar format (neither POSIX ustar nor GNU)`);
  let name = text(block.subarray(0, 100), where);
  // POSIX ustar splits long names into prefix "/" name; GNU uses that space for other fields.
  if (format === 'ustar') {
    const prefix = text(block.subarray(345, 500), where);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const typeflag = String.fromCharCode(block[156]!);
  return {
    name,
    linkname: text(block.subarray(157, 257), where),
    size: numeric(block.subarray(124, 136), `${where} (${JSON.stringify(name.slice(0, 100))}): size`),
    kind: KINDS[typeflag] ?? 'unsupported',
    typeflag,
    format,
  };
}

function checksumMatches(block: Uint8Array): boolean {
  const stored = numeric(block.subarray(148, 156), 'tar header checksum', true);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  // Historic writers summed signed chars; GNU tar accepts both, so do we.
  return stored === unsigned || stored === signed;
}

function formatOf(block: Uint8Array): 'ustar' | 'gnu' | undefined {
  const magic = Buffer.from(block.subarray(257, 265)).toString('latin1');
  if (magic === 'ustar\u000000') return 'ustar';
  if (magic === 'ustar  \u0000') return 'gnu';
  return undefined;
}

function text(field: Uint8Array, where: string): string {
  const nul = field.indexOf(0);
  const bytes = nul >= 0 ? field.subarray(0, nul) : field;
  try {
    return utf8.decode(bytes);
  } catch {
    return fail('archive-unsafe-path', `${where}: a name is not valid UTF-8`);
  }
}

/** Octal, space/NUL terminated, or GNU base-256 (high bit set) for big values. */
export function numeric(field: Uint8Array, what: string, lenient = false): number {
  if (field[0]! & 0x80) {
    if (field[0] !== 0x80) fail('archive-corrupt', `${what}: negative base-256 number`);
    let v = 0;
    for (let i = 1; i < field.length; i++) v = v * 256 + field[i]!;
    if (!Number.isSafeInteger(v)) fail('archive-corrupt', `${what}: number too large`);
    return v;
  }
  const s = Buffer.from(field).toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]*$/.test(s)) {
    if (lenient) return -1;
    fail('archive-corrupt', `${what}: not an octal number`);
  }
  if (s === '') return 0;
  const v = parseInt(s, 8);
  if (!Number.isSafeInteger(v)) fail('archive-corrupt', `${what}: number too large`);
  return v;
}
