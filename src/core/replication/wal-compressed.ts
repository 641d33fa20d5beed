// Archived WAL compressed by the archive command (`gzip %p`, `zstd`, `lz4`):
// `<segment>.gz|.zst|.lz4`. The suffix is a claim, the bytes decide (a
// mismatch is refused); the file is decoded as it streams and its WAL goes
// through the same page-header, system-identifier and continuity checks as
// a plain segment. The manifest's sha256/size for such a name are those of
// the file as sent (what `sha256sum` on the archive prints), so both are
// taken from the compressed bytes. Decoded chunks go straight into the WAL
// reader from the decoder's callback (nothing queues: a zstd bomb cannot
// pile up output), and the per-file limit stops it there.
import { createHash } from 'node:crypto';
import type { ByteSource } from '../ports/artifacts.js';
import { detectCompression, MAGIC_BYTES, type Compression } from './compression.js';
import { createDecoder, type Decoder } from './decoder.js';
import { fail, safeName } from './findings.js';
import { pumpWalFile, WalFileReader, type WalRead } from './wal-read.js';

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

/** Reads `<wal>.<ext>`: the decoded WAL as `read`, the file as sent as `sent`. */
export async function readCompressedWal(
  name: string,
  inner: string,
  claim: Exclude<Compression, 'none'>,
  source: ByteSource,
  maxDecoded: number,
  signal: AbortSignal | undefined,
  onBytes: (n: number) => void,
): Promise<{ read: WalRead; sent: { sha256: string; size: number } }> {
  const hash = createHash('sha256');
  const reader = new WalFileReader(inner, maxDecoded, () => undefined);
  let sent = 0;
  let head = Buffer.alloc(0);
  let decoder: Decoder | undefined;
  // The reader throws from inside the decoder's callback; kept here, rethrown after.
  let stopped: unknown;
  const onData = (c: Uint8Array): void => {
    if (stopped !== undefined) return;
    try {
      reader.update(c);
    } catch (e) {
      stopped = e;
      decoder?.destroy();
    }
  };
  const open = (): void => {
    const kind = detectCompression(head);
    if (kind !== claim)
      fail(
        'wal-compression-mismatch',
        `WAL file ${safeName(name)} is named as ${claim} but its bytes are ${kind === 'none' ? 'not gzip, zstd or lz4' : kind}`,
        name,
      );
    decoder = createDecoder(kind, onData);
  };
  const rethrow = (): void => {
    if (stopped !== undefined) throw stopped;
  };
  try {
    await pumpWalFile(name, source, signal, async (chunk) => {
      hash.update(chunk);
      sent += chunk.length;
      onBytes(chunk.length);
      if (!decoder) {
        head = Buffer.concat([head, chunk]);
        if (head.length < MAGIC_BYTES) return;
        open();
        await decoder!.write(head);
      } else await decoder.write(chunk);
      rethrow();
    });
    if (!decoder) {
      if (head.length === 0) fail('wal-header-mismatch', `WAL file ${safeName(name)} is empty`, name);
      open();
      await decoder!.write(head);
    }
    const err = await decoder!.end();
    rethrow();
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
  } finally {
    // A refusal part-way leaves no decoder running.
    decoder?.destroy();
  }
  return { read: reader.finish(), sent: { sha256: hash.digest('hex'), size: sent } };
}
