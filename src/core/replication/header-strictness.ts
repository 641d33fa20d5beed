// Header fields that mainstream readers (GNU tar, bsdtar, Python tarfile, Go
// archive/tar) parse differently. We do not pick a winner: any header where
// they could disagree is refused as [archive-ambiguous], naming the field.
// Each rule here was seen to matter against the real readers (see
// test/differential/archive-differential.test.ts).
import { fail } from './findings.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes after a field's first NUL must be NUL too: readers that stop at the NUL and readers that trim only the end disagree otherwise. */
function checkNulTail(field: Uint8Array, what: string | (() => string)): number {
  const nul = field.indexOf(0);
  if (nul < 0) return field.length;
  for (let i = nul + 1; i < field.length; i++) {
    if (field[i] !== 0)
      fail(
        'archive-ambiguous',
        `${typeof what === 'string' ? what : what()} has bytes after its terminating NUL (readers disagree on where it ends)`,
      );
  }
  return nul;
}

/** Text up to the first NUL (see checkNulTail). */
export function nulTerminatedText(field: Uint8Array, what: string): string {
  const end = checkNulTail(field, what);
  if (end === 0) return '';
  try {
    return utf8.decode(field.subarray(0, end));
  } catch {
    return fail('archive-unsafe-path', `${what} is not valid UTF-8`);
  }
}

const SP = 0x20;
const ZERO = 0x30;
const SEVEN = 0x37;

/**
 * A numeric field every reader parses the same: optional leading spaces, octal
 * digits, then only NUL/space (digits required unless `optional`). A byte loop:
 * this runs for five fields of every header.
 */
function strictOctal(field: Uint8Array, what: () => string, optional: boolean): number {
  if (field[0]! & 0x80)
    fail('archive-ambiguous', `${what()} is a base-256 (binary) number; readers disagree on those`);
  let i = 0;
  while (i < field.length && field[i] === SP) i++;
  let v = 0;
  let digits = 0;
  for (; i < field.length && field[i]! >= ZERO && field[i]! <= SEVEN; i++, digits++)
    v = v * 8 + field[i]! - ZERO;
  for (; i < field.length; i++) if (field[i] !== 0 && field[i] !== SP) break;
  if (i < field.length || (digits === 0 && !optional)) {
    fail('archive-ambiguous', `${what()} is not a plain octal number (readers disagree on what it means)`);
  }
  return v;
}

export function checkHeaderStrictness(
  block: Uint8Array,
  format: 'ustar' | 'gnu',
  where: string,
  name: string,
): void {
  // Messages are built only on failure: this runs for every 512-byte header.
  const at = (field?: string): string =>
    `${where} (${JSON.stringify(name.slice(0, 100))})${field ? `: ${field}` : ''}`;
  const mode = strictOctal(block.subarray(100, 108), () => at('mode'), false);
  // setuid/setgid/sticky are honoured by some extractors (Python's fully
  // trusted filter, tar as root) and dropped by others; bits above are junk.
  if (mode > 0o777)
    fail(
      'archive-ambiguous',
      `${at('mode')} ${mode.toString(8)} has setuid/setgid/sticky or non-permission bits`,
    );
  strictOctal(block.subarray(108, 116), () => at('uid'), false);
  strictOctal(block.subarray(116, 124), () => at('gid'), false);
  strictOctal(block.subarray(136, 148), () => at('mtime'), false);
  strictOctal(block.subarray(329, 337), () => at('devmajor'), true);
  strictOctal(block.subarray(337, 345), () => at('devminor'), true);
  checkNulTail(block.subarray(265, 297), () => at('uname'));
  checkNulTail(block.subarray(297, 329), () => at('gname'));
  if (format === 'gnu') {
    // GNU keeps atime/ctime/sparse maps here; Python tarfile reads the same
    // bytes as a ustar prefix and prepends them to the name.
    for (let i = 345; i < 500; i++) {
      if (block[i] !== 0)
        fail(
          'archive-ambiguous',
          `${at()}: a GNU-format header with data in the ustar prefix area (Python tarfile prepends it to the name; GNU tar and Go do not)`,
        );
    }
  }
  // Go reads "tar\0" at byte 508 as the star format (a shorter prefix); keep the pad empty.
  for (let i = 500; i < 512; i++) {
    if (block[i] !== 0)
      fail(
        'archive-ambiguous',
        `${at()}: data in the header's padding (Go archive/tar reads it as the star format)`,
      );
  }
}
