// Per-entry size and checksums, computed as the entry streams past and kept
// after its bytes are dropped, so a backup_manifest that arrives later in the
// tar can still be checked. Only SHA-256 and CRC-32C (pg_basebackup's default)
// are computed until the backup_manifest has been seen; after that, exactly
// the algorithms it names. A manifest that comes last and asks for
// SHA224/384/512 therefore cannot be checked against earlier entries: that is
// reported (backup-file-checksum-unverifiable), never assumed fine.
import { createHash, type Hash } from 'node:crypto';
import type { ChecksumPort } from '../ports/checksums.js';
import { Crc32c } from './crc32c.js';

export const PG_CHECKSUM_ALGORITHMS = ['CRC32C', 'SHA224', 'SHA256', 'SHA384', 'SHA512'] as const;
export type PgChecksumAlgorithm = (typeof PG_CHECKSUM_ALGORITHMS)[number];

export const DEFAULT_ENTRY_ALGORITHMS: readonly PgChecksumAlgorithm[] = ['SHA256', 'CRC32C'];

export interface EntryRecord {
  path: string;
  size: number;
  digests: Partial<Record<PgChecksumAlgorithm, string>>;
}

/** Hashes one entry with a fixed set of algorithms. */
export class EntryHasher {
  private readonly hashes = new Map<PgChecksumAlgorithm, Hash>();
  private crc: Crc32c | undefined;
  private size = 0;

  constructor(
    private readonly path: string,
    algorithms: Iterable<PgChecksumAlgorithm>,
    checksums?: ChecksumPort,
  ) {
    for (const a of algorithms) {
      if (a === 'CRC32C') this.crc = new Crc32c(checksums);
      else this.hashes.set(a, createHash(a.toLowerCase()));
    }
  }

  update(chunk: Uint8Array): void {
    this.size += chunk.length;
    this.crc?.update(chunk);
    for (const h of this.hashes.values()) h.update(chunk);
  }

  finish(): EntryRecord {
    const digests: EntryRecord['digests'] = {};
    if (this.crc) digests.CRC32C = this.crc.digestManifestHex();
    for (const [a, h] of this.hashes) digests[a] = h.digest('hex');
    return { path: this.path, size: this.size, digests };
  }
}
