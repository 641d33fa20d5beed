// The thread-pool signature check (services/validation/signature-off-loop.ts)
// must decide exactly as the inline one (core/signing/verify.ts): same
// outcome, same key, same refusal and reason, for every kind of signature an
// attacker can send. And core takes a precomputed outcome only for the very
// objects it was computed for.
import { expect } from 'chai';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { evaluateConfigCheck, T1_SIGNATURE_OPTIONS } from '../../../src/core/config-check.js';
import type { PinnedKey } from '../../../src/core/ports/keys.js';
import { pae } from '../../../src/core/replication/dsse.js';
import { lowSOf } from '../../../src/core/signing/ecdsa-low-s.js';
import { MIGRATION_MANIFEST_PAYLOAD_TYPE } from '../../../src/core/signing/payload-types.js';
import { verifyManifestSignature, type SignatureInput } from '../../../src/core/signing/verify.js';
import { verifyManifestSignatureOffLoop } from '../../../src/services/validation/signature-off-loop.js';
import { manifestFor } from '../../support/t1-manifest.js';

const manifest = Buffer.from('{"app_id":"orders-api","env":"prod","version":"1"}');
const ed = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pin = (id: string, key: KeyObject): PinnedKey => ({ id, key });

const detached = (bytes: Uint8Array): SignatureInput => ({ kind: 'detached', bytes });
const b64 = (b: Buffer): Buffer => Buffer.from(b.toString('base64'));
const dsse = (type: string, payload: Buffer, sigs: { sig: Buffer; keyid?: string }[]): SignatureInput => ({
  kind: 'dsse',
  bytes: Buffer.from(
    JSON.stringify({
      payloadType: type,
      payload: payload.toString('base64'),
      signatures: sigs.map((s) => ({
        sig: s.sig.toString('base64'),
        ...(s.keyid ? { keyid: s.keyid } : {}),
      })),
    }),
  ),
});

/** The high-S twin of a low-S P-256 signature (r, n - s): node:crypto verifies it, the gate refuses it. */
function highS(p1363: Buffer): Buffer {
  const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const s = BigInt(`0x${p1363.subarray(32).toString('hex')}`);
  return Buffer.concat([p1363.subarray(0, 32), Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex')]);
}

const edSig = sign(null, manifest, ed.privateKey);
const p256Low = lowSOf(sign('sha256', manifest, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' }));
const dssePae = pae(MIGRATION_MANIFEST_PAYLOAD_TYPE, manifest);

const cases: { name: string; sig: SignatureInput | undefined; keys: PinnedKey[]; verified: boolean }[] = [
  { name: 'no signature', sig: undefined, keys: [pin('ed', ed.publicKey)], verified: false },
  { name: 'Ed25519, raw bytes', sig: detached(edSig), keys: [pin('ed', ed.publicKey)], verified: true },
  {
    name: 'Ed25519, base64 text',
    sig: detached(b64(edSig)),
    keys: [pin('ed', ed.publicKey)],
    verified: true,
  },
  {
    name: 'Ed25519 with the right key second',
    sig: detached(edSig),
    keys: [pin('other', other.publicKey), pin('ed', ed.publicKey)],
    verified: true,
  },
  {
    name: 'Ed25519, wrong key only',
    sig: detached(edSig),
    keys: [pin('other', other.publicKey)],
    verified: false,
  },
  {
    name: 'Ed25519 over other bytes',
    sig: detached(sign(null, Buffer.from('x'), ed.privateKey)),
    keys: [pin('ed', ed.publicKey)],
    verified: false,
  },
  { name: 'P-256 low-S', sig: detached(p256Low), keys: [pin('p', p256.publicKey)], verified: true },
  { name: 'P-256 high-S', sig: detached(highS(p256Low)), keys: [pin('p', p256.publicKey)], verified: false },
  {
    name: 'garbage bytes',
    sig: detached(Buffer.from([1, 2, 3, 0xff])),
    keys: [pin('ed', ed.publicKey)],
    verified: false,
  },
  { name: 'empty', sig: detached(Buffer.alloc(0)), keys: [pin('ed', ed.publicKey)], verified: false },
  {
    name: 'over the size limit',
    sig: detached(Buffer.alloc(70_000, 65)),
    keys: [pin('ed', ed.publicKey)],
    verified: false,
  },
  {
    name: 'only an RSA key pinned',
    sig: detached(edSig),
    keys: [pin('rsa', rsa.publicKey)],
    verified: false,
  },
  { name: 'no key pinned', sig: detached(edSig), keys: [], verified: false },
  {
    name: 'DSSE, keyid names the second key',
    sig: dsse(MIGRATION_MANIFEST_PAYLOAD_TYPE, manifest, [
      { sig: sign(null, dssePae, ed.privateKey), keyid: 'ed' },
    ]),
    keys: [pin('other', other.publicKey), pin('ed', ed.publicKey)],
    verified: true,
  },
  {
    name: 'DSSE, a bad signature then a good one',
    sig: dsse(MIGRATION_MANIFEST_PAYLOAD_TYPE, manifest, [
      { sig: Buffer.alloc(64, 1) },
      { sig: sign(null, dssePae, ed.privateKey) },
    ]),
    keys: [pin('ed', ed.publicKey)],
    verified: true,
  },
  {
    name: 'DSSE, another payloadType',
    sig: dsse('application/vnd.other+json', manifest, [{ sig: sign(null, dssePae, ed.privateKey) }]),
    keys: [pin('ed', ed.publicKey)],
    verified: false,
  },
  {
    name: 'DSSE, another payload',
    sig: dsse(MIGRATION_MANIFEST_PAYLOAD_TYPE, Buffer.from('{}'), [
      { sig: sign(null, dssePae, ed.privateKey) },
    ]),
    keys: [pin('ed', ed.publicKey)],
    verified: false,
  },
  {
    name: 'DSSE, high-S P-256',
    sig: dsse(MIGRATION_MANIFEST_PAYLOAD_TYPE, manifest, [
      { sig: highS(lowSOf(sign('sha256', dssePae, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' }))) },
    ]),
    keys: [pin('p', p256.publicKey)],
    verified: false,
  },
  {
    name: 'DSSE, not JSON',
    sig: { kind: 'dsse', bytes: Buffer.from('{') },
    keys: [pin('ed', ed.publicKey)],
    verified: false,
  },
];

describe('signature check off the event loop: the same answer as inline', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const inline = verifyManifestSignature(manifest, c.sig, c.keys, T1_SIGNATURE_OPTIONS);
      const pooled = await verifyManifestSignatureOffLoop(manifest, c.sig, c.keys, T1_SIGNATURE_OPTIONS);
      expect(pooled).to.deep.equal(inline);
      expect(pooled.facts.verified).to.equal(c.verified);
      if (!c.verified && c.sig) expect(pooled.findings).to.have.length(1);
    });
  }

  it('high-S is refused by name, both ways', async () => {
    const sig = detached(highS(p256Low));
    const pooled = await verifyManifestSignatureOffLoop(
      manifest,
      sig,
      [pin('p', p256.publicKey)],
      T1_SIGNATURE_OPTIONS,
    );
    expect(pooled.findings[0]!.rule).to.equal('signature-malformed');
    expect(pooled.findings[0]!.message).to.match(/high-S/);
  });
});

describe('core takes a precomputed signature outcome only for the objects it was computed for', () => {
  const config = readFileSync('examples/t1_good/app-config.yaml');
  const manifestBytes = manifestFor(config, { app_id: 'orders-api', env: 'staging', version: '1' });
  const forged = detached(Buffer.alloc(64, 7));
  const keys = [pin('ed', ed.publicKey)];
  const lie = {
    facts: { present: true, verified: true, format: 'detached' as const, key_id: 'ed' },
    findings: [],
  };
  const check = (signatureChecked: Parameters<typeof evaluateConfigCheck>[0]['signatureChecked'], k = keys) =>
    evaluateConfigCheck({
      manifest: manifestBytes,
      config,
      signature: forged,
      keys: k,
      policies: () => [],
      ...(signatureChecked ? { signatureChecked } : {}),
    });
  const signatureStep = (e: ReturnType<typeof evaluateConfigCheck>) =>
    e.steps.find((s) => s.step === 'signature')!;

  it('uses it for the same manifest, signature and key set', () => {
    const e = check({ manifest: manifestBytes, signature: forged, keys, outcome: lie });
    expect(signatureStep(e).status).to.equal('pass');
  });

  it('verifies inline when the key set is another (a reload during the wait), the signature or the manifest is', () => {
    const reloaded = [pin('ed', ed.publicKey)];
    for (const pre of [
      { manifest: manifestBytes, signature: forged, keys: reloaded, outcome: lie },
      { manifest: manifestBytes, signature: detached(Buffer.alloc(64, 7)), keys, outcome: lie },
      { manifest: Buffer.from(manifestBytes), signature: forged, keys, outcome: lie },
    ]) {
      const e = check(pre);
      expect(signatureStep(e).status, JSON.stringify(pre.keys === keys)).to.equal('fail');
      expect(e.findings.map((f) => f.rule)).to.include('signature-invalid');
    }
  });
});
