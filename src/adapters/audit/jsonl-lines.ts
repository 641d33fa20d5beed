// Line-by-line reading of a JSON-lines file with byte offsets, in constant
// memory per line. Offsets matter: repairing a torn tail means truncating to
// the exact byte where the last good line ends.
import type { FileHandle } from 'node:fs/promises';

export interface StoredLine {
  /** 1-based line number, for `audit.jsonl:17` locations. */
  line: number;
  text: string;
  /** Byte offset of the first byte of the line. */
  start: number;
  /** Byte offset just past the line, including its newline when present. */
  end: number;
  /** False only for a last line without a trailing newline. */
  terminated: boolean;
}

const NEWLINE = 0x0a;
const CHUNK = 64 * 1024;

/** Lines of `fh` from byte 0 up to `limit` (exclusive), read with positional reads. */
export async function* readStoredLines(fh: FileHandle, limit: number): AsyncGenerator<StoredLine> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let pending: Buffer[] = [];
  let lineStart = 0;
  let line = 0;
  let position = 0;
  while (position < limit) {
    const { bytesRead } = await fh.read(buffer, 0, Math.min(CHUNK, limit - position), position);
    if (bytesRead === 0) break; // the file shrank under us: stop at what exists
    let from = 0;
    for (let i = buffer.indexOf(NEWLINE, 0); i !== -1 && i < bytesRead; i = buffer.indexOf(NEWLINE, i + 1)) {
      pending.push(buffer.subarray(from, i));
      const end = position + i + 1;
      line += 1;
      yield { line, text: Buffer.concat(pending).toString('utf8'), start: lineStart, end, terminated: true };
      pending = [];
      lineStart = end;
      from = i + 1;
    }
    // Copy: `buffer` is reused by the next read.
    if (from < bytesRead) pending.push(Buffer.from(buffer.subarray(from, bytesRead)));
    position += bytesRead;
  }
  if (pending.length > 0) {
    line += 1;
    yield {
      line,
      text: Buffer.concat(pending).toString('utf8'),
      start: lineStart,
      end: position,
      terminated: false,
    };
  }
}
