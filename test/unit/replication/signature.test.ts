import { expect } from 'chai';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { pae } from '../../../src/core/replication/dsse.js';
import { verifySignature } from '../../../src/core/replication/signature.js';
import { lowSOf, p1363ToDer } from '../../../src/core/signing/ecdsa-low-s.js';
import { ed25519 } from './helpers.js';

/** ECDSA P-256 as the gate accepts it: low-S (node:crypto leaves s in either half). */
const lowS = (data: Buffer, key: KeyObject, der = true): Buffer => {
  const p = lowSOf(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
  return der ? p1363ToDer(p) : p;
};

const manifest = Buffer.from('source_db: a\ntarget_db: b\n');
const MAX = 64 * 1024;

function dsse(
  payload: Buffer,
  sigs: { keyid?: string; sig: Buffer }[],
  payloadType = 'application/vnd.migrationgate.replication-manifest+yaml',
): Buffer {
  return Buffer.from(
    JSON.stringify({
      payloadType,
      payload: payload.toString('base64'),
      signatures: sigs.map((s) => ({ ...s, sig: s.sig.toString('base64') })),
    }),
  );
}

describe('signature', () => {
  const ed = ed25519();
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ecPinned = { id: 'ec', key: ec.publicKey };

  it('PAE matches the DSSE spec example', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).to.equal(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });
  it('missing signature: present=false, no finding (the policy decides)', () => {
    const r = verifySignature(manifest, undefined, [ed.pinned], MAX);
    expect(r.facts).to.deep.equal({ present: false, verified: false, format: 'none', key_id: '' });
    expect(r.findings).to.deep.equal([]);
  });
  it('detached Ed25519 (openssl pkeyutl -sign -rawin), raw and base64', () => {
    const sig = sign(null, manifest, ed.privateKey);
    for (const bytes of [sig, Buffer.from(sig.toString('base64') + '\n')]) {
      const r = verifySignature(manifest, { kind: 'detached', bytes }, [ecPinned, ed.pinned], MAX);
      expect(r.facts.verified).to.equal(true);
      expect(r.facts.key_id).to.equal('test-ed25519');
    }
  });
  it('detached ECDSA P-256 DER over sha256 (openssl dgst -sha256 -sign, cosign sign-blob)', () => {
    const sig = lowS(manifest, ec.privateKey);
    expect(
      verifySignature(manifest, { kind: 'detached', bytes: sig }, [ecPinned], MAX).facts.verified,
    ).to.equal(true);
    expect(
      verifySignature(
        manifest,
        { kind: 'detached', bytes: Buffer.from(sig.toString('base64')) },
        [ecPinned],
        MAX,
      ).facts.verified,
    ).to.equal(true);
  });
  it('detached RSA PKCS#1 v1.5 sha256 is refused, naming the algorithm', () => {
    const sig = sign('sha256', manifest, rsa.privateKey);
    const r = verifySignature(
      manifest,
      { kind: 'detached', bytes: sig },
      [{ id: 'rsa', key: rsa.publicKey }],
      MAX,
    );
    expect(r.facts.verified).to.equal(false);
    expect(r.findings[0]!.message).to.contain('RSA-2048');
  });
  it('a signature from the wrong key type is invalid', () => {
    const sig = sign('sha256', manifest, rsa.privateKey);
    const r = verifySignature(manifest, { kind: 'detached', bytes: sig }, [ed.pinned, ecPinned], MAX);
    expect(r.facts).to.include({ present: true, verified: false });
    expect(r.findings.map((f) => f.rule)).to.deep.equal(['signature-invalid']);
    expect(r.findings[0]!.message).to.contain('Ed25519');
  });
  it('a signature over other bytes is invalid', () => {
    const sig = sign(null, Buffer.from('something else'), ed.privateKey);
    expect(
      verifySignature(manifest, { kind: 'detached', bytes: sig }, [ed.pinned], MAX).findings[0]!.rule,
    ).to.equal('signature-invalid');
  });
  it('no pinned keys: a supplied signature cannot verify', () => {
    expect(
      verifySignature(manifest, { kind: 'detached', bytes: Buffer.from('AAAA') }, [], MAX).findings[0]!.rule,
    ).to.equal('signature-invalid');
  });
  it('DSSE with Ed25519 and ECDSA (DER and P1363)', () => {
    const type = 'application/vnd.migrationgate.replication-manifest+yaml';
    const data = pae(type, manifest);
    const edEnv = dsse(manifest, [{ keyid: 'test-ed25519', sig: sign(null, data, ed.privateKey) }]);
    expect(verifySignature(manifest, { kind: 'dsse', bytes: edEnv }, [ed.pinned], MAX).facts).to.include({
      verified: true,
      format: 'dsse',
    });
    const der = dsse(manifest, [{ sig: lowS(data, ec.privateKey) }]);
    expect(verifySignature(manifest, { kind: 'dsse', bytes: der }, [ecPinned], MAX).facts.verified).to.equal(
      true,
    );
    const p1363 = dsse(manifest, [{ sig: lowS(data, ec.privateKey, false) }]);
    expect(
      verifySignature(manifest, { kind: 'dsse', bytes: p1363 }, [ecPinned], MAX).facts.verified,
    ).to.equal(true);
  });
  it('DSSE signed over the raw payload instead of PAE is invalid', () => {
    const env = dsse(manifest, [{ sig: sign(null, manifest, ed.privateKey) }]);
    expect(
      verifySignature(manifest, { kind: 'dsse', bytes: env }, [ed.pinned], MAX).findings[0]!.rule,
    ).to.equal('signature-invalid');
  });
  it('DSSE whose payload is not the manifest', () => {
    const other = Buffer.from('source_db: evil\n');
    const type = 'application/vnd.migrationgate.replication-manifest+yaml';
    const env = dsse(other, [{ sig: sign(null, pae(type, other), ed.privateKey) }], type);
    expect(
      verifySignature(manifest, { kind: 'dsse', bytes: env }, [ed.pinned], MAX).findings[0]!.rule,
    ).to.equal('signature-payload-mismatch');
  });
  it('malformed DSSE', () => {
    for (const bytes of [
      Buffer.from('not json'),
      Buffer.from('{}'),
      Buffer.from('{"payloadType":"t","payload":"!!","signatures":[]}'),
    ]) {
      expect(verifySignature(manifest, { kind: 'dsse', bytes }, [ed.pinned], MAX).findings[0]!.rule).to.equal(
        'signature-malformed',
      );
    }
  });
  it('an oversized signature', () => {
    expect(
      verifySignature(manifest, { kind: 'detached', bytes: Buffer.alloc(MAX + 1) }, [ed.pinned], MAX)
        .findings[0]!.rule,
    ).to.equal('signature-malformed');
  });
});
