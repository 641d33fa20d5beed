import { expect } from 'chai';
import fc from 'fast-check';
import { nodeRsChecksums } from '../../../src/adapters/checksums/node-rs-crc32c.js';
import { Crc32c } from '../../../src/core/replication/crc32c.js';

describe('CRC-32C implementations', () => {
  const native = nodeRsChecksums();
  it('the hardware-accelerated implementation (@node-rs/crc32) loads on this machine', () => {
    expect(native).to.not.equal(undefined);
  });
  it('native and table-driven agree on any chunking of any bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (chunks) => {
        const viaPort = new Crc32c(native);
        const table = new Crc32c();
        for (const c of chunks) {
          viaPort.update(c);
          table.update(c);
        }
        expect(viaPort.digestManifestHex()).to.equal(table.digestManifestHex());
      }),
      { numRuns: 300 },
    );
  });
  it('both give the check value', () => {
    for (const port of [native, undefined])
      expect(new Crc32c(port).update(Buffer.from('123456789')).digest()).to.equal(0xe3069283);
  });
});
