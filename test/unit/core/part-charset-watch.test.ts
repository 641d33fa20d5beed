// The charset watcher must see a declared charset wherever the socket splits
// the body, and must not flag bodies without one.
import { expect } from 'chai';
import { PartCharsetWatch } from '../../../src/adapters/http/part-charset-watch.js';

const B = 'XyZ';
const partHead = (extra: string): string =>
  `--${B}\r\nContent-Disposition: form-data; name="app_config"; filename="charset.yaml"\r\n${extra}\r\n`;

async function run(body: Buffer, split: number): Promise<string | undefined> {
  const w = new PartCharsetWatch(`multipart/form-data; boundary="${B}"`);
  w.resume();
  w.write(body.subarray(0, split));
  await new Promise<void>((resolve) => w.end(body.subarray(split), resolve));
  return w.declared;
}

describe('PartCharsetWatch', () => {
  const big = 'a'.repeat(20_000);
  const flagged = Buffer.from(
    `${partHead('')}${big}\r\n${partHead('Content-Type: text/plain; CharSet=latin1\r\n')}x\r\n--${B}--\r\n`,
  );
  const clean = Buffer.from(`${partHead('Content-Type: text/yaml\r\n')}${big} charset=x\r\n--${B}--\r\n`);
  it('flags a declared charset at every split point around it', async () => {
    const at = flagged.indexOf('CharSet');
    for (let s = at - 120; s < at + 20; s++)
      expect(await run(flagged, s), `split ${s}`).to.equal('content-type');
  });
  it('does not flag a charset word in data or in the filename', async () => {
    for (const s of [1, 100, clean.length - 5]) expect(await run(clean, s)).to.equal(undefined);
  });
});
