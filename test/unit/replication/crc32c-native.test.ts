import { expect } from 'chai';
import fc from 'fast-check';
import { Crc32c, CRC32C_NATIVE } from '../../../src/core/replication/crc32c.js';

describe('CRC-32C implementations', () => {
  it('uses the hardware-accelerated implementation on this machine', () => {
    expect(CRC32C_NATIVE).to.equal(true);
  });
  it('native and table-driven agree on any chunking of any bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (chunks) => {
        const native = new Crc32c(true);
        const table = new Crc32c(false);
        for (const c of chunks) {
          native.update(c);
          table.update(c);
        }
        expect(native.digestManifestHex()).to.equal(table.digestManifestHex());
      }),
      { numRuns: 300 },
    );
  });
  it('both give the check value', () => {
    for (const impl of [true, false])
      expect(new Crc32c(impl).update(Buffer.from('123456789')).digest()).to.equal(0xe3069283);
  });
});
