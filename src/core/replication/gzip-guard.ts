// Inflation limits checked on every decompressed chunk, so a gzip bomb is
// stopped after a bounded amount of work instead of after inflating it all.
import { fail, safeName } from './findings.js';
import type { ReplicationLimits } from './limits.js';

export class InflateBudget {
  compressed = 0;
  uncompressed = 0;

  constructor(private readonly limits: ReplicationLimits) {}

  addCompressed(n: number): void {
    this.compressed += n;
    if (this.compressed > this.limits.maxCompressedBytes) {
      fail(
        'snapshot-budget-exceeded',
        `the snapshot is larger than ${this.limits.maxCompressedBytes} compressed bytes`,
      );
    }
  }

  addUncompressed(n: number, entry: string | undefined): void {
    this.uncompressed += n;
    const at = entry !== undefined ? ` (while reading entry ${safeName(entry)})` : '';
    if (this.uncompressed > this.limits.maxUncompressedBytes) {
      fail(
        'archive-budget-exceeded',
        `the snapshot inflates to more than ${this.limits.maxUncompressedBytes} bytes${at}`,
        entry,
      );
    }
    // `compressed` counts bytes handed to gunzip, slightly ahead of what it consumed: lenient by one chunk.
    if (
      this.uncompressed > this.limits.compressionRatioFloorBytes &&
      this.uncompressed > this.limits.maxCompressionRatio * this.compressed
    ) {
      fail(
        'archive-gzip-bomb',
        `compression ratio above ${this.limits.maxCompressionRatio}:1 (${this.uncompressed} bytes from ${this.compressed}); stopped inflating${at}`,
        entry,
      );
    }
  }
}
