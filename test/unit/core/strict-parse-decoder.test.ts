// decodeUtf8 shares one fatal decoder between calls: a refused input (a
// truncated sequence at the end included) must leave nothing behind for the
// next one.
import { expect } from 'chai';
import { decodeUtf8 } from '../../../src/core/strict-parse.js';

describe('decodeUtf8 with one shared decoder', () => {
  it('decodes every input on its own, after refusals too', () => {
    const bad = [
      Uint8Array.from([0xe2, 0x82]), // a truncated 3-byte sequence at the end
      Uint8Array.from([0x61, 0xff, 0x62]),
      Uint8Array.from([0xf0, 0x9f, 0x98]),
    ];
    for (const b of bad) {
      expect(decodeUtf8(b, 'x')).to.deep.equal({ ok: false, message: 'x is not valid UTF-8' });
      // The next input starts clean: no byte of the refused one is carried over.
      expect(decodeUtf8(Uint8Array.from([0xac, 0x61]), 'y').ok).to.equal(false);
      expect(decodeUtf8(Buffer.from('tls: {enabled: true} €', 'utf8'), 'z')).to.deep.equal({
        ok: true,
        text: 'tls: {enabled: true} €',
      });
    }
  });
});
