// One pass over one tar stream: optionally hash the bytes as received,
// detect the compression from the first bytes, decode (gzip, zstd, lz4 or
// none), walk the tar and hand every entry to the visitor. Memory stays
// constant: chunks are hashed and dropped. Used for the single-archive
// snapshot and for each tar of a native pg_basebackup directory.
import { createHash, type Hash } from 'node:crypto';
import type { ByteSource } from '../ports/artifacts.js';
import type { Finding } from '../contracts/report.js';
import type { StrongAlgorithm } from '../hashing.js';
import { abortFinding, nextOrAbort, releaseIterator } from './abort.js';
import { detectCompression, MAGIC_BYTES, type Compression } from './compression.js';
import { createDecoder, type Decoder } from './decoder.js';
import { blockFinding, VerificationFailure } from './findings.js';
import { InflateBudget } from './gzip-guard.js';
import type { ReplicationLimits } from './limits.js';
import { TarReader, type TarVisitor } from './tar-reader.js';

export interface ArchivePassOptions {
  signal?: AbortSignal;
  onBytes?: (compressedBytes: number) => void;
  /** Hash the received bytes with this algorithm (the single-archive snapshot's pin). */
  algorithm?: StrongAlgorithm;
  /** Compressions accepted; another is refused naming both. */
  accept: readonly Compression[];
  /** What the stream is called in messages ("the snapshot", "base.tar.zst"). */
  label: string;
  /** The entry being read, for messages. */
  currentPath: () => string | undefined;
}

export interface ArchivePassResult {
  finding?: Finding;
  digestHex?: string;
  compression?: Compression;
  compressed: number;
  uncompressed: number;
}

export async function streamArchive(
  source: ByteSource,
  visitor: TarVisitor,
  limits: ReplicationLimits,
  opts: ArchivePassOptions,
): Promise<ArchivePassResult> {
  const pass = new ArchivePass(visitor, limits, opts);
  const finding = await pass.run(source);
  return {
    ...(finding ? { finding } : { ...(pass.digestHex ? { digestHex: pass.digestHex } : {}) }),
    ...(pass.decoder ? { compression: pass.decoder.kind } : {}),
    compressed: pass.budget.compressed,
    uncompressed: pass.budget.uncompressed,
  };
}

class ArchivePass {
  readonly budget: InflateBudget;
  private readonly reader: TarReader;
  decoder: Decoder | undefined;
  private failure: Finding | undefined;
  digestHex: string | undefined;
  private head: Buffer = Buffer.alloc(0);

  constructor(
    visitor: TarVisitor,
    limits: ReplicationLimits,
    private readonly opts: ArchivePassOptions,
  ) {
    this.budget = new InflateBudget(limits);
    this.reader = new TarReader(visitor, limits);
  }

  private onDecoded(chunk: Uint8Array): void {
    if (this.failure) return;
    try {
      this.budget.addUncompressed(chunk.length, this.opts.currentPath());
      this.reader.push(chunk);
    } catch (e) {
      this.stop(toFinding(e));
    }
  }

  private stop(f: Finding): void {
    this.failure ??= f;
    this.decoder?.destroy();
  }

  async run(source: ByteSource): Promise<Finding | undefined> {
    const { signal } = this.opts;
    const onAbort = (): void => this.stop(abortFinding(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.feed(source);
      if (!this.failure) await this.finish();
      else this.decoder?.destroy();
    } catch (e) {
      this.stop(toFinding(e));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return this.failure;
  }

  private async feed(source: ByteSource): Promise<void> {
    const hash: Hash | undefined = this.opts.algorithm ? createHash(this.opts.algorithm) : undefined;
    const it = source.stream[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const r = await nextOrAbort(it, this.opts.signal);
        if (r.done) break;
        this.budget.addCompressed(r.value.length);
        hash?.update(r.value);
        this.opts.onBytes?.(this.budget.compressed);
        if (this.failure) return;
        await this.write(r.value);
        if (this.failure) return;
      }
      finished = true;
      if (hash) this.digestHex = hash.digest('hex');
    } catch (e) {
      this.stop(
        e instanceof VerificationFailure
          ? e.finding
          : blockFinding(
              'snapshot-read-error',
              `reading ${this.opts.label} (${source.name.slice(0, 200)}) failed after ${this.budget.compressed} bytes: ${errorText(e)}`,
            ),
      );
    } finally {
      if (!finished) releaseIterator(it);
    }
  }

  /** The first bytes pick the decoder (a multipart body may deliver them a few at a time). */
  private async write(chunk: Uint8Array): Promise<void> {
    if (!this.decoder) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < MAGIC_BYTES) return;
      this.openDecoder();
      const first = this.head;
      this.head = Buffer.alloc(0);
      return this.decoder!.write(first);
    }
    return this.decoder.write(chunk);
  }

  private openDecoder(): void {
    const kind = detectCompression(this.head);
    if (!this.opts.accept.includes(kind)) {
      const want = this.opts.accept.map((k) => (k === 'none' ? 'plain tar' : k)).join(' or ');
      throw new VerificationFailure(
        blockFinding(
          'archive-corrupt',
          `${this.opts.label} is not a valid ${want} stream (its first bytes are ${kind === 'none' ? 'no known compression' : kind})`,
        ),
      );
    }
    this.decoder = createDecoder(kind, (c) => this.onDecoded(c));
  }

  private async finish(): Promise<void> {
    if (!this.decoder) {
      if (this.head.length === 0) {
        this.failure = blockFinding('archive-truncated', `${this.opts.label} is empty`);
        return;
      }
      this.openDecoder();
      await this.decoder!.write(this.head);
    }
    const err = await this.decoder!.end();
    if (this.failure) return;
    if (err) {
      this.failure = this.decoderFinding(err);
      return;
    }
    // zlib silently ignores bytes after the last gzip member or zstd frame; we do not.
    // Concatenated members/frames are accepted (gzip -d, pigz, zstd -d read them all):
    // what is verified is the whole decoded stream, which every reader sees.
    const trailing = this.budget.compressed - this.decoder!.consumed();
    if (trailing > 0) {
      this.failure = blockFinding(
        'archive-trailing-data',
        `${trailing} bytes after the end of the ${this.decoder!.kind} stream of ${this.opts.label}`,
      );
      return;
    }
    try {
      this.reader.end();
    } catch (e) {
      this.failure = toFinding(e);
    }
  }

  private decoderFinding(err: Error): Finding {
    const msg = errorText(err);
    const kind = this.decoder!.kind;
    const code = (err as { code?: string }).code;
    if (code === 'LZ4_TRAILING') return blockFinding('archive-trailing-data', `${this.opts.label}: ${msg}`);
    // Garbage after a complete archive is "trailing data", not corruption of what we verified.
    if (kind === 'gzip' && (this.reader.complete || /header check|unknown compression method/i.test(msg))) {
      // The first member's header was valid, so a header error comes from bytes after a member.
      return blockFinding(
        'archive-trailing-data',
        `bytes after the end of a gzip member are not gzip (${msg})`,
      );
    }
    if (code === 'LZ4_TRUNCATED' || /unexpected end/i.test(msg))
      return blockFinding(
        'archive-truncated',
        `the ${kind} stream of ${this.opts.label} is truncated (${msg})${this.at()}`,
      );
    if (/too much memory|window/i.test(msg))
      return blockFinding(
        'archive-gzip-bomb',
        `${this.opts.label}: the ${kind} frame asks for more decoder memory than allowed (${msg})`,
      );
    return blockFinding(
      'archive-corrupt',
      `${this.opts.label} is not a valid ${kind} stream: ${msg}${this.at()}`,
    );
  }

  private at(): string {
    const p = this.opts.currentPath();
    return p !== undefined ? ` in entry ${JSON.stringify(p.slice(0, 200))}` : '';
  }
}

function toFinding(e: unknown): Finding {
  if (e instanceof VerificationFailure) return e.finding;
  return blockFinding('internal-error', `internal error while reading an archive: ${errorText(e)}`);
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}
