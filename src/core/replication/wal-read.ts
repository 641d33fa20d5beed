// Reads one WAL file once: SHA-256, size, and the first page header bytes.
// Bounded by the per-file limit; aborts with the signal.
import { createHash } from 'node:crypto';
import type { ByteSource } from '../ports/artifacts.js';
import { nextOrAbort, releaseIterator } from './abort.js';
import { fail, safeName, VerificationFailure } from './findings.js';
import { LONG_HEADER_BYTES } from './wal-header.js';
import { parseWalName } from './wal-name.js';
import { WalPageScanner } from './wal-scan.js';

export interface WalRead {
  sha256: string;
  size: number;
  head: Uint8Array;
  /** Segments only: bytes with valid page headers, and the first page's system identifier. */
  validBytes?: number;
  systemId?: bigint;
  /** .history files only: their text (small by nature, capped). */
  text?: string;
}

const MAX_HISTORY_BYTES = 64 * 1024;

export async function readWalFile(
  name: string,
  source: ByteSource,
  maxBytes: number,
  signal: AbortSignal | undefined,
  onBytes: (n: number) => void,
): Promise<WalRead> {
  const hash = createHash('sha256');
  const head = Buffer.alloc(LONG_HEADER_BYTES);
  let size = 0;
  const parsed = parseWalName(name);
  const scan = parsed?.kind === 'segment' ? new WalPageScanner(parsed) : undefined;
  const history: Buffer[] | undefined = parsed?.kind === 'history' ? [] : undefined;
  const it = source.stream[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await nextOrAbort(it, signal);
      } catch (e) {
        if (e instanceof VerificationFailure) throw e;
        fail(
          'wal-read-error',
          `reading WAL file ${safeName(name)} failed after ${size} bytes: ${e instanceof Error ? e.message.slice(0, 200) : 'error'}`,
          name,
        );
      }
      if (r.done) break;
      const chunk = r.value;
      if (size < LONG_HEADER_BYTES) head.set(chunk.subarray(0, LONG_HEADER_BYTES - size), size);
      size += chunk.length;
      if (size > maxBytes)
        fail('wal-budget-exceeded', `WAL file ${safeName(name)} is larger than ${maxBytes} bytes`, name);
      hash.update(chunk);
      scan?.update(chunk);
      if (history) {
        if (size > MAX_HISTORY_BYTES)
          fail('wal-history-invalid', `${safeName(name)} is larger than ${MAX_HISTORY_BYTES} bytes`, name);
        history.push(Buffer.from(chunk));
      }
      onBytes(chunk.length);
    }
    finished = true;
  } finally {
    if (!finished) releaseIterator(it);
  }
  const scanned = scan?.finish();
  return {
    sha256: hash.digest('hex'),
    size,
    head: head.subarray(0, Math.min(size, LONG_HEADER_BYTES)),
    ...(history ? { text: Buffer.concat(history).toString('utf8') } : {}),
    ...(scanned
      ? {
          validBytes: scanned.validBytes,
          ...(scanned.systemId !== undefined ? { systemId: scanned.systemId } : {}),
        }
      : {}),
  };
}
