// Checksum implementations the core does not carry itself: a native library
// (adapters/checksums/) injected by the composition root. Absent, the core
// computes the same values in JavaScript (crc32c.ts's table loop), slower.

export interface ChecksumPort {
  /**
   * CRC-32C of `data` continuing from `state` (0 to start; the finished CRC
   * of everything before it otherwise): crc32c("123456789", 0) = 0xe3069283.
   */
  crc32c(data: Uint8Array, state: number): number;
}
