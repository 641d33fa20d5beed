// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum
// PostgreSQL's backup_manifest uses by default. node:crypto has no CRC.
// A native implementation (ChecksumPort, injected by the composition root:
// adapters/checksums/) is used when given; else the table-driven loop below
// (slicing-by-4).
import type { ChecksumPort } from '../ports/checksums.js';

const POLY = 0x82f63b78;

const TABLES: Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let i = 1; i < 4; i++) {
    const prev = tables[i - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(t);
  }
  return tables;
}

/** Incremental CRC-32C: feed chunks with update(), read the value with digest(). */
export class Crc32c {
  private crc = 0xffffffff;
  /** The native state is the finished CRC of what was fed so far. */
  private native = 0;

  constructor(private readonly port?: ChecksumPort) {}

  update(data: Uint8Array): this {
    if (this.port) {
      this.native = this.port.crc32c(data, this.native);
      return this;
    }
    const [t0, t1, t2, t3] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    let c = this.crc;
    let i = 0;
    const end4 = data.length - (data.length % 4);
    for (; i < end4; i += 4) {
      c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
      c = t3[c & 0xff]! ^ t2[(c >>> 8) & 0xff]! ^ t1[(c >>> 16) & 0xff]! ^ t0[c >>> 24]!;
    }
    for (; i < data.length; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    this.crc = c >>> 0;
    return this;
  }

  digest(): number {
    return this.port ? this.native >>> 0 : (this.crc ^ 0xffffffff) >>> 0;
  }

  /**
   * The hex form backup_manifest uses: PostgreSQL writes the CRC's four bytes
   * in memory order (little-endian on every platform it ships on), so
   * crc32c("123456789") = 0xe3069283 appears as "839206e3".
   */
  digestManifestHex(): string {
    const v = this.digest();
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v, 0);
    return b.toString('hex');
  }
}

export function crc32c(data: Uint8Array, port?: ChecksumPort): number {
  return new Crc32c(port).update(data).digest();
}
