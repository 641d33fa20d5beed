// Archived WAL compressed by the archive command (`gzip %p`, `zstd`, `lz4`):
// `<segment>.gz|.zst|.lz4`. The suffix is a claim, the bytes decide (a
// mismatch is refused); the file is decoded as it streams and its WAL goes
// through the same page-header, system-identifier and continuity checks as
// a plain segment. The manifest's sha256/size for such a name are those of
// the file as sent (what `sha256sum` on the archive prints), so both are
// taken from the compressed bytes. Decoded bytes are capped at the per-file
// limit inside the decoder's callback: a bomb stops there, not after.
import { createHash } from 'node:crypto';
import type { ByteSource } from '../ports/artifacts.js';
import { detectCompression, MAGIC_BYTES, type Compression } from './compression.js';
import { createDecoder } from './decoder.js';
import { fail, safeName } from './findings.js';

const SUFFIXES: Record<string, Exclude<Compression, 'none'>> = {
  '.gz': 'gzip',
  '.zst': 'zstd',
  '.lz4': 'lz4',
};

/** `000000010000000000000003.zst` → the WAL name and the claimed compression. */
export function compressedWalName(
  name: string,
): { inner: string; claim: Exclude<Compression, 'none'> } | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const claim = SUFFIXES[name.slice(dot)];
  return claim ? { inner: name.slice(0, dot), claim } : undefined;
}

export interface DecodedWal {
  /** The decoded bytes, streamed. */
  source: ByteSource;
  /** Available once `source` was read to its end: the file as sent. */
  asSent(): { sha256: string; size: number };
}

export function decodeWal(
  name: string,
  claim: Exclude<Compression, 'none'>,
  source: ByteSource,
  maxDecoded: number,
): DecodedWal {
  const hash = createHash('sha256');
  let sent = 0;
  let digest = '';
  async function* decoded(): AsyncGenerator<Uint8Array> {
    const queue: Uint8Array[] = [];
    let out = 0;
    let over = false;
    let head = Buffer.alloc(0);
    let decoder: ReturnType<typeof createDecoder> | undefined;
    const onData = (c: Uint8Array): void => {
      out += c.length;
      if (out > maxDecoded) {
        over = true;
        decoder?.destroy();
        return;
      }
      queue.push(c);
    };
    const open = (): void => {
      const kind = detectCompression(head);
      if (kind !== claim)
        fail(
          'wal-compression-mismatch',
          `WAL file ${safeName(name)} is named as ${claim} but its bytes are ${kind === 'none' ? 'not compressed (or not gzip, zstd or lz4)' : kind}`,
          name,
        );
      decoder = createDecoder(kind, onData);
    };
    const tooBig = (): never =>
      fail(
        'wal-budget-exceeded',
        `WAL file ${safeName(name)} decodes to more than ${maxDecoded} bytes`,
        name,
      );
    try {
      yield* run();
    } finally {
      // A consumer that stops early (a refusal, the budget) leaves no decoder running.
      decoder?.destroy();
    }
    async function* run(): AsyncGenerator<Uint8Array> {
      for await (const chunk of source.stream) {
        hash.update(chunk);
        sent += chunk.length;
        if (!decoder) {
          head = Buffer.concat([head, chunk]);
          if (head.length < MAGIC_BYTES) continue;
          open();
          await decoder!.write(head);
        } else await decoder.write(chunk);
        if (over) tooBig();
        while (queue.length > 0) yield queue.shift()!;
      }
      if (!decoder) {
        if (head.length === 0) fail('wal-header-mismatch', `WAL file ${safeName(name)} is empty`, name);
        open();
        await decoder!.write(head);
      }
      const err = await decoder!.end();
      if (over) tooBig();
      while (queue.length > 0) yield queue.shift()!;
      if (err)
        fail(
          'wal-compression-corrupt',
          `WAL file ${safeName(name)} is not a valid ${claim} stream: ${err.message.split('\n')[0]!.slice(0, 200)}`,
          name,
        );
      const trailing = sent - decoder!.consumed();
      if (trailing > 0)
        fail(
          'wal-compression-corrupt',
          `${trailing} bytes after the end of the ${claim} stream of WAL file ${safeName(name)}`,
          name,
        );
      digest = hash.digest('hex');
    }
  }
  return {
    source: { stream: decoded(), name: source.name },
    asSent: () => ({ sha256: digest, size: sent }),
  };
}
