// Which compression a tar stream uses, decided from its first bytes (never
// from the file name: a name is a claim, the bytes are the fact), and what a
// pg_basebackup file name claims, so the two can be compared.

export const COMPRESSIONS = ['none', 'gzip', 'zstd', 'lz4'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** Bytes needed to tell the formats apart. */
export const MAGIC_BYTES = 4;

export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    return 'zstd';
  if (head.length >= 4 && head[0] === 0x04 && head[1] === 0x22 && head[2] === 0x4d && head[3] === 0x18)
    return 'lz4';
  // Anything else is read as a plain tar: the tar reader checks the header
  // checksum of the first block, so random bytes are refused there.
  return 'none';
}

/** The compression a pg_basebackup name claims: base.tar, base.tar.gz, base.tar.lz4, base.tar.zst. */
export function claimedCompression(name: string): Compression | undefined {
  if (name.endsWith('.tar')) return 'none';
  if (name.endsWith('.tar.gz')) return 'gzip';
  if (name.endsWith('.tar.zst')) return 'zstd';
  if (name.endsWith('.tar.lz4')) return 'lz4';
  return undefined;
}
