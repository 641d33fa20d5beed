// Header fields that mainstream readers (GNU tar, bsdtar, Python tarfile, Go
// archive/tar) parse differently. We do not pick a winner: any header where
// they could disagree is refused as [archive-ambiguous], naming the field.
// Each rule here was seen to matter against the real readers (see
// test/differential/archive-differential.test.ts).
import { fail } from './findings.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text up to the first NUL. Bytes after it must be NUL too: readers that stop at the NUL and readers that trim only the end disagree otherwise. */
export function nulTerminatedText(field: Uint8Array, what: string): string {
  const nul = field.indexOf(0);
  const bytes = nul >= 0 ? field.subarray(0, nul) : field;
  if (nul >= 0) {
    for (let i = nul + 1; i < field.length; i++) {
      if (field[i] !== 0) fail('archive-ambiguous', `${what} has bytes after its terminating NUL (readers disagree on where it ends)`);
    }
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return fail('archive-unsafe-path', `${what} is not valid UTF-8`);
  }
}

/** A numeric field every reader parses the same: octal digits, then only NUL/space (digits required unless `optional`). */
function strictOctal(field: Uint8Array, what: string, optional: boolean): number {
  const raw = Buffer.from(field).toString('latin1');
  if (optional && /^[\0 ]*$/.test(raw)) return 0;
  if (field[0]! & 0x80) fail('archive-ambiguous', `${what} is a base-256 (binary) number; readers disagree on those`);
  if (!/^ *[0-7]+[ \0]*$/.test(raw)) fail('archive-ambiguous', `${what} is not a plain octal number (readers disagree on what it means)`);
  return parseInt(raw.replace(/[\0 ]/g, ''), 8);
}

export function checkHeaderStrictness(block: Uint8Array, format: 'ustar' | 'gnu', where: string, name: string): void {
  const at = `${where} (${JSON.stringify(name.slice(0, 100))})`;
  const mode = strictOctal(block.subarray(100, 108), `${at}: mode`, false);
  // setuid/setgid/sticky are honoured by some extractors (Python's fully
  // trusted filter, tar as root) and dropped by others; bits above are junk.
  if (mode > 0o777) fail('archive-ambiguous', `${at}: mode ${mode.toString(8)} has setuid/setgid/sticky or non-permission bits`);
  strictOctal(block.subarray(108, 116), `${at}: uid`, false);
  strictOctal(block.subarray(116, 124), `${at}: gid`, false);
  strictOctal(block.subarray(136, 148), `${at}: mtime`, false);
  strictOctal(block.subarray(329, 337), `${at}: devmajor`, true);
  strictOctal(block.subarray(337, 345), `${at}: devminor`, true);
  nulTerminatedText(block.subarray(265, 297), `${at}: uname`);
  nulTerminatedText(block.subarray(297, 329), `${at}: gname`);
  if (format === 'gnu') {
    // GNU keeps atime/ctime/sparse maps here; Python tarfile reads the same
    // bytes as a ustar prefix and prepends them to the name.
    for (let i = 345; i < 500; i++) {
      if (block[i] !== 0) fail('archive-ambiguous', `${at}: a GNU-format header with data in the ustar prefix area (Python tarfile prepends it to the name; GNU tar and Go do not)`);
    }
  } else {
    nulTerminatedText(block.subarray(345, 500), `${at}: prefix`);
  }
  // Go reads "tar\0" at byte 508 as the star format (a shorter prefix); keep the pad empty.
  for (let i = 500; i < 512; i++) {
    if (block[i] !== 0) fail('archive-ambiguous', `${at}: data in the header's padding (Go archive/tar reads it as the star format)`);
  }
}
