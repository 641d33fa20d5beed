// One push interface over the four decoders: gzip and zstd from node:zlib
// (zlib's work runs on the libuv pool, so two tars inflate on two cores),
// lz4 from lz4-frame.ts and "none" (a plain tar). Each decoded chunk goes to
// `onData`; errors are mapped to findings by the caller (archive-pass.ts).
import type { TransformOptions } from 'node:stream';
import * as zlib from 'node:zlib';
import type { Compression } from './compression.js';
import { fail } from './findings.js';
import { Lz4FrameDecoder } from './lz4-frame.js';

export interface Decoder {
  readonly kind: Compression;
  /** Resolves once more input may be written (backpressure). */
  write(chunk: Uint8Array): Promise<void>;
  /** Resolves with the decoder's error, if any, once all output was delivered. */
  end(): Promise<Error | undefined>;
  destroy(): void;
  /** Compressed bytes the decoder consumed (bytes after the last frame are not). */
  consumed(): number;
}

type ZlibStream = zlib.Gunzip;

export function createDecoder(kind: Compression, onData: (chunk: Uint8Array) => void): Decoder {
  if (kind === 'gzip' || kind === 'zstd') return zlibDecoder(kind, onData);
  if (kind === 'lz4') return syncDecoder(kind, new Lz4FrameDecoder(), onData);
  return syncDecoder(kind, undefined, onData);
}

/** zstd needs Node ≥ 22.15 / 24 (zlib.createZstdDecompress); an older runtime refuses it by name. */
export function zstdAvailable(): boolean {
  return typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
}

function zlibDecoder(kind: 'gzip' | 'zstd', onData: (chunk: Uint8Array) => void): Decoder {
  // 4 MiB of compressed input may queue ahead of zlib: with the default
  // 16 KiB every read waits for a full drain and zlib idles while the next
  // chunk is read and hashed. (zlib hands its options to the Transform
  // constructor; the typings omit that.)
  const options: zlib.ZlibOptions & Pick<TransformOptions, 'writableHighWaterMark'> = {
    // 256 KiB of output per round trip to the libuv pool: at 64 KiB the main
    // thread sat idle waiting for thousands of small zstd callbacks (the
    // profile showed more idle than work; 1 MiB pushed peak RSS past 200 MB).
    chunkSize: 256 * 1024,
    writableHighWaterMark: 4 * 1024 * 1024,
  };
  let stream: ZlibStream;
  if (kind === 'gzip') {
    stream = zlib.createGunzip(options);
  } else {
    if (!zstdAvailable())
      fail(
        'archive-compression-unsupported',
        `this tar is zstd-compressed and this runtime (Node ${process.versions.node}) has no zstd decoder; run the gate on Node 24`,
      );
    const create = (zlib as unknown as { createZstdDecompress: (o: object) => ZlibStream })
      .createZstdDecompress;
    stream = create({ ...options });
  }
  const settled = new Promise<Error | undefined>((resolve) => {
    stream.once('error', (e) => resolve(e));
    stream.once('end', () => resolve(undefined));
    stream.once('close', () => resolve(undefined));
  });
  // Deferring the work lets zlib start on the next chunk on its worker
  // thread while this one is hashed (nextTick keeps the order with 'end').
  stream.on('data', (chunk: Buffer) => process.nextTick(() => onData(chunk)));
  return {
    kind,
    write: (chunk) => (stream.write(chunk) ? Promise.resolve() : drained(stream)),
    end: async () => {
      stream.end();
      const err = await settled;
      // Let the deferred onData calls run before the caller looks at the result.
      await new Promise<void>((r) => process.nextTick(r));
      return err;
    },
    destroy: () => stream.destroy(),
    consumed: () => stream.bytesWritten,
  };
}

function drained(s: ZlibStream): Promise<void> {
  if (s.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

/** lz4 (decoded in this thread, one block at a time) and plain tar (passed through). */
function syncDecoder(
  kind: 'lz4' | 'none',
  lz4: Lz4FrameDecoder | undefined,
  onData: (chunk: Uint8Array) => void,
): Decoder {
  let consumed = 0;
  let sinceYield = 0;
  let error: Error | undefined;
  let destroyed = false;
  return {
    kind,
    write: (chunk) => {
      if (destroyed || error) return Promise.resolve();
      try {
        if (lz4) {
          // Views of the decoder's buffer: every consumer hashes or copies synchronously.
          lz4.pushTo(chunk, onData);
          consumed = lz4.consumed;
        } else {
          consumed += chunk.length;
          onData(chunk);
        }
      } catch (e) {
        if (!lz4 || !(e instanceof Error) || e.name !== 'Lz4Error') throw e;
        error = e;
      }
      // Yield to the event loop every few MiB: a large backup must not starve other requests.
      sinceYield += chunk.length;
      if (sinceYield < 4 * 1024 * 1024) return Promise.resolve();
      sinceYield = 0;
      return new Promise((r) => setImmediate(r));
    },
    end: () => {
      if (!error && !destroyed && lz4) {
        try {
          lz4.end();
        } catch (e) {
          error = e instanceof Error ? e : new Error(String(e));
        }
      }
      return Promise.resolve(error);
    },
    destroy: () => {
      destroyed = true;
    },
    consumed: () => (lz4 ? lz4.consumed : consumed),
  };
}
