// Issue 11: every multipart part is hashed as the bytes that were sent. Busboy
// transcodes plain fields (from a declared charset, or replacing invalid UTF-8
// with U+FFFD); before the fix a manifest pinned to the transcoded bytes was
// ALLOWed although nobody sent those bytes. Raw bodies, built by hand.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startGate, type RunningGate } from '../support/gate-harness.js';
import { signManifest } from '../support/signed-t1.js';

const BOUNDARY = 'gateRawBoundary7MA4YWxk';
const goodConfig = readFileSync('examples/t1_good/app-config.yaml');
const baseManifest = JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')) as Record<
  string,
  unknown
>;

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface RawPart {
  name: string;
  filename?: string;
  contentType?: string;
  bytes: Buffer;
}

function body(parts: RawPart[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n`;
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'latin1'), p.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

async function post(
  gate: RunningGate,
  parts: RawPart[],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
    method: 'POST',
    headers: { ...gate.auth, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: body(parts),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const manifestPart = (configHash: string): RawPart => ({
  name: 'migration_manifest',
  bytes: Buffer.from(JSON.stringify({ ...baseManifest, config_sha256: configHash })),
});

describe('REST T1 multipart: parts hashed as received (issue 11)', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  it('a config field declaring charset=latin1 is refused naming the charset, even with the hash of its UTF-8 transcoding', async () => {
    const latin1 = Buffer.concat([goodConfig, Buffer.from('# caf\xe9\n', 'latin1')]);
    const transcoded = Buffer.from(latin1.toString('latin1'), 'utf8');
    for (const hash of [sha(transcoded), sha(latin1)]) {
      const res = await post(gate, [
        manifestPart(hash),
        { name: 'app_config', contentType: 'text/plain; charset=latin1', bytes: latin1 },
      ]);
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(JSON.stringify(res.body)).to.match(/declares a charset in its content-type header/);
    }
  });

  it('a charset on a file part is refused too (one meaning: bytes, never text in some encoding)', async () => {
    const res = await post(gate, [
      manifestPart(sha(goodConfig)),
      {
        name: 'app_config',
        filename: 'app-config.yaml',
        contentType: 'text/yaml; charset=utf-16le',
        bytes: goodConfig,
      },
    ]);
    expect(res.status).to.equal(400);
    expect(JSON.stringify(res.body)).to.contain('charset');
  });

  it('invalid UTF-8 in a config field is a BLOCK naming it, not a U+FFFD config with a matching hash', async () => {
    const invalid = Buffer.concat([goodConfig, Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a])]);
    const replaced = Buffer.from(invalid.toString('utf8'), 'utf8');
    for (const hash of [sha(replaced), sha(invalid)]) {
      const res = await post(gate, [manifestPart(hash), { name: 'app_config', bytes: invalid }]);
      expect(res.status, JSON.stringify(res.body)).to.equal(422);
      expect(res.body.decision).to.equal('BLOCK');
      expect((res.body.reasons as string[]).join('\n')).to.match(/not valid UTF-8/);
    }
  });

  it('valid non-ASCII UTF-8 in a field (no charset) is hashed byte for byte and ALLOWed', async () => {
    const utf8 = Buffer.concat([goodConfig, Buffer.from('# café ✓\n', 'utf8')]);
    const part = manifestPart(sha(utf8));
    const res = await post(gate, [
      part,
      { name: 'app_config', bytes: utf8 },
      { name: 'manifest_signature', bytes: Buffer.from(signManifest(part.bytes)) },
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const wrong = await post(gate, [
      manifestPart(sha(Buffer.from(utf8.toString('latin1'), 'utf8'))),
      { name: 'app_config', bytes: utf8 },
    ]);
    expect(wrong.status).to.equal(422);
  });

  it('an empty signature part without a filename (an HTML file input left empty) is no signature; with a filename it is an empty signature (issue 12)', async () => {
    const parts = [
      manifestPart(sha(goodConfig)),
      { name: 'app_config', filename: 'c.yaml', bytes: goodConfig },
    ];
    const none = await post(gate, [...parts, { name: 'manifest_signature', bytes: Buffer.alloc(0) }]);
    expect(none.body.reasons, JSON.stringify(none.body)).to.deep.equal([
      '[t1-signature-required] the migration manifest must carry a verified signature (not set) (at signature.verified)',
    ]);
    const empty = await post(gate, [
      ...parts,
      { name: 'manifest_signature', filename: 'm.json.sig', bytes: Buffer.alloc(0) },
    ]);
    expect((empty.body.reasons as string[])[0]).to.match(
      /^\[signature-malformed\] detached signature is empty/,
    );
  });

  it('the manifest sent as a field is read byte for byte as well', async () => {
    const m = Buffer.from(
      JSON.stringify({ ...baseManifest, config_sha256: sha(goodConfig), version: '2026.11.3-é' }),
    );
    // Signed over the very bytes sent: a transcoded manifest would no longer verify either.
    const res = await post(gate, [
      { name: 'migration_manifest', bytes: m },
      { name: 'app_config', filename: 'c.yaml', bytes: goodConfig },
      { name: 'manifest_signature', bytes: Buffer.from(signManifest(m)) },
    ]);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  });
});
