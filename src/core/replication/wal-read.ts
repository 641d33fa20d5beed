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

/**
 * The per-chunk work of reading one WAL file, synchronous so a decoder can
 * feed it from its callback (a compressed file's output is consumed as it is
 * produced, never queued: see wal-compressed.ts).
 */
export class WalFileReader {
  private readonly hash = createHash('sha256');
  private readonly head = Buffer.alloc(LONG_HEADER_BYTES);
  private size = 0;
  private readonly scan: WalPageScanner | undefined;
  private readonly history: Buffer[] | undefined;

  constructor(
    private readonly name: string,
    private readonly maxBytes: number,
    private readonly onBytes: (n: number) => void,
  ) {
    const parsed = parseWalName(name);
    this.scan = parsed?.kind === 'segment' ? new WalPageScanner(parsed) : undefined;
    this.history = parsed?.kind === 'history' ? [] : undefined;
  }

  update(chunk: Uint8Array): void {
    const name = this.name;
    if (this.size < LONG_HEADER_BYTES)
      this.head.set(chunk.subarray(0, LONG_HEADER_BYTES - this.size), this.size);
    this.size += chunk.length;
    if (this.size > this.maxBytes)
      fail('wal-budget-exceeded', `WAL file ${safeName(name)} is larger than ${this.maxBytes} bytes`, name);
    this.hash.update(chunk);
    this.scan?.update(chunk);
    if (this.history) {
      if (this.size > MAX_HISTORY_BYTES)
        fail('wal-history-invalid', `${safeName(name)} is larger than ${MAX_HISTORY_BYTES} bytes`, name);
      this.history.push(Buffer.from(chunk));
    }
    this.onBytes(chunk.length);
  }

  finish(): WalRead {
    const scanned = this.scan?.finish();
    return {
      sha256: this.hash.digest('hex'),
      size: this.size,
      head: this.head.subarray(0, Math.min(this.size, LONG_HEADER_BYTES)),
      ...(this.history ? { text: Buffer.concat(this.history).toString('utf8') } : {}),
      ...(scanned
        ? {
            validBytes: scanned.validBytes,
            ...(scanned.systemId !== undefined ? { systemId: scanned.systemId } : {}),
          }
        : {}),
    };
  }
}

/** Reads a plain WAL file from its source, chunk by chunk. */
export async function readWalFile(
  name: string,
  source: ByteSource,
  maxBytes: number,
  signal: AbortSignal | undefined,
  onBytes: (n: number) => void,
): Promise<WalRead> {
  const reader = new WalFileReader(name, maxBytes, onBytes);
  await pumpWalFile(name, source, signal, (c) => reader.update(c));
  return reader.finish();
}

/** Every chunk of one WAL file's source to `onChunk` (awaited: backpressure), with the abort signal. */
export async function pumpWalFile(
  name: string,
  source: ByteSource,
  signal: AbortSignal | undefined,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
): Promise<void> {
  let size = 0;
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
      size += r.value.length;
      await onChunk(r.value);
    }
    finished = true;
  } finally {
    if (!finished) releaseIterator(it);
  }
}
