// Steps 4-5 in one pass over the snapshot: hash the compressed bytes, gunzip,
// walk the tar, apply the archive rules, record per-entry checksums. Memory
// stays constant: chunks are hashed and dropped (only backup_manifest is kept).
import { createHash } from 'node:crypto';
import type { TransformOptions } from 'node:stream';
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';
import type { ByteSource } from '../ports/artifacts.js';
import type { Finding } from '../contracts/report.js';
import type { StrongAlgorithm } from '../hashing.js';
import { abortFinding, nextOrAbort, releaseIterator } from './abort.js';
import { blockFinding, VerificationFailure } from './findings.js';
import { InflateBudget } from './gzip-guard.js';
import type { ReplicationLimits } from './limits.js';
import { SnapshotWalker } from './snapshot-walker.js';
import { TarReader } from './tar-reader.js';
import type { EntryRecord } from './entry-digests.js';

export interface SnapshotOutcome {
  /** Digest of the compressed bytes; only when the whole stream was read. */
  digestHex?: string;
  compressedBytes: number;
  uncompressedBytes: number;
  entries: number;
  records: EntryRecord[];
  backupManifests: Map<string, Uint8Array>;
  /** Why the pass stopped; `stage` says which step it belongs to. */
  failure?: { finding: Finding; stage: 'snapshot' | 'archive' };
}

export interface StreamOptions {
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes?: number) => void;
}

const STREAM_RULES = new Set(['snapshot-read-error', 'snapshot-budget-exceeded', 'verification-aborted', 'deadline-exceeded', 'internal-error']);

export async function streamSnapshot(source: ByteSource, algorithm: StrongAlgorithm, limits: ReplicationLimits, opts: StreamOptions = {}): Promise<SnapshotOutcome> {
  const pass = new SnapshotPass(limits, opts);
  const finding = await pass.run(source, algorithm);
  const out: SnapshotOutcome = {
    compressedBytes: pass.budget.compressed,
    uncompressedBytes: pass.budget.uncompressed,
    entries: pass.walker.records.length,
    records: pass.walker.records,
    backupManifests: pass.walker.backupManifests,
  };
  if (finding) out.failure = { finding, stage: STREAM_RULES.has(finding.rule) ? 'snapshot' : 'archive' };
  else out.digestHex = pass.digestHex;
  return out;
}

class SnapshotPass {
  readonly budget: InflateBudget;
  readonly walker: SnapshotWalker;
  private readonly reader: TarReader;
  private readonly gunzip: Gunzip;
  private failure: Finding | undefined;
  digestHex: string | undefined;
  private startsAsGzip: boolean | undefined;

  constructor(private readonly limits: ReplicationLimits, private readonly opts: StreamOptions) {
    this.budget = new InflateBudget(limits);
    this.walker = new SnapshotWalker(limits);
    this.reader = new TarReader(this.walker, limits);
    // 4 MiB of compressed input may queue ahead of zlib: with the default
    // 16 KiB every read waits for a full drain and zlib idles while the next
    // chunk is read and hashed.
    // (zlib hands its options to the Transform constructor; the typings omit that.)
    const options: ZlibOptions & Pick<TransformOptions, 'writableHighWaterMark'> = { chunkSize: 64 * 1024, writableHighWaterMark: 4 * 1024 * 1024 };
    this.gunzip = createGunzip(options);
    // Deferring the work lets zlib start inflating the next chunk on its
    // worker thread while this one is hashed (nextTick keeps the order with
    // the stream's 'end').
    this.gunzip.on('data', (chunk: Buffer) => process.nextTick(() => this.onInflated(chunk)));
  }

  private onInflated(chunk: Buffer): void {
    if (this.failure) return;
    try {
      this.budget.addUncompressed(chunk.length, this.walker.currentPath);
      this.reader.push(chunk);
    } catch (e) {
      this.stop(toFinding(e));
    }
  }

  private stop(f: Finding): void {
    this.failure ??= f;
    this.gunzip.destroy();
  }

  async run(source: ByteSource, algorithm: StrongAlgorithm): Promise<Finding | undefined> {
    const { signal } = this.opts;
    const onAbort = (): void => this.stop(abortFinding(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const gzDone = settle(this.gunzip);
    try {
      await this.feed(source, algorithm);
      if (!this.failure) {
        this.gunzip.end();
        const err = await gzDone;
        if (err && !this.failure) this.failure = this.gzipFinding(err);
      } else {
        this.gunzip.destroy();
      }
      if (!this.failure) this.checkEnd();
    } catch (e) {
      this.stop(toFinding(e));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return this.failure;
  }

  private async feed(source: ByteSource, algorithm: StrongAlgorithm): Promise<void> {
    const hash = createHash(algorithm);
    const it = source.stream[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const r = await nextOrAbort(it, this.opts.signal);
        if (r.done) break;
        this.startsAsGzip ??= r.value.length >= 3 && r.value[0] === 0x1f && r.value[1] === 0x8b && r.value[2] === 0x08;
        this.budget.addCompressed(r.value.length);
        hash.update(r.value);
        this.opts.onProgress?.(this.budget.compressed, source.size);
        if (this.failure) return;
        if (!this.gunzip.write(r.value)) await drained(this.gunzip, this.opts.signal);
        if (this.failure) return;
      }
      finished = true;
      this.digestHex = hash.digest('hex');
    } catch (e) {
      this.stop(e instanceof VerificationFailure ? e.finding : blockFinding('snapshot-read-error',
        `reading the snapshot ${source.name.slice(0, 200)} failed after ${this.budget.compressed} bytes: ${errorText(e)}`));
    } finally {
      if (!finished) releaseIterator(it);
    }
  }

  private gzipFinding(err: Error): Finding {
    const msg = errorText(err);
    // Garbage after a complete archive is "trailing data", not corruption of what we verified.
    if (this.reader.complete || (this.startsAsGzip && /header check|unknown compression method/i.test(msg))) {
      // The first member's header was valid, so a header error comes from bytes after a member.
      return blockFinding('archive-trailing-data', `bytes after the end of a gzip member are not gzip (${msg})`);
    }
    if (/unexpected end/i.test(msg)) return blockFinding('archive-truncated', `the gzip stream is truncated (${msg})${this.at()}`);
    return blockFinding('archive-corrupt', `the snapshot is not a valid gzip stream: ${msg}${this.at()}`);
  }

  private at(): string {
    return this.walker.currentPath !== undefined ? ` in entry ${JSON.stringify(this.walker.currentPath.slice(0, 200))}` : '';
  }

  private checkEnd(): void {
    // Node's gunzip silently ignores bytes after the last member; we do not.
    // Concatenated gzip members are accepted (RFC 1952, gzip -d, pigz, bgzip):
    // what is verified is the whole decoded stream, which every reader sees.
    const trailing = this.budget.compressed - this.gunzip.bytesWritten;
    if (trailing > 0) {
      this.failure = blockFinding('archive-trailing-data', `${trailing} bytes after the end of the gzip stream`);
      return;
    }
    try {
      this.reader.end();
    } catch (e) {
      this.failure = toFinding(e);
    }
  }
}

function settle(gz: Gunzip): Promise<Error | undefined> {
  return new Promise((resolve) => {
    gz.once('error', (e) => resolve(e));
    gz.once('end', () => resolve(undefined));
    gz.once('close', () => resolve(undefined));
  });
}

function drained(gz: Gunzip, signal: AbortSignal | undefined): Promise<void> {
  if (gz.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (): void => {
      gz.off('drain', done);
      gz.off('close', done);
      signal?.removeEventListener('abort', aborted);
      resolve();
    };
    const aborted = (): void => { done(); reject(new VerificationFailure(abortFinding(signal!))); };
    gz.on('drain', done);
    gz.on('close', done);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

function toFinding(e: unknown): Finding {
  if (e instanceof VerificationFailure) return e.finding;
  return blockFinding('internal-error', `internal error while reading the snapshot: ${errorText(e)}`);
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}
