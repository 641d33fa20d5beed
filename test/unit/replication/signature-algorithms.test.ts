// Issue 11: the accepted set is exactly Ed25519 and ECDSA P-256/SHA-256
// low-S, with each DSSE envelope carrying its document's payloadType. Keys
// and signatures come from node:crypto and from the openssl CLI.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pae } from '../../../src/core/replication/dsse.js';
import { verifySignature } from '../../../src/core/replication/signature.js';
import { lowSOf, p1363ToDer as toDer, parseP256Signature } from '../../../src/core/signing/ecdsa-low-s.js';
import {
  MIGRATION_MANIFEST_PAYLOAD_TYPE,
  REPLICATION_MANIFEST_PAYLOAD_TYPE,
} from '../../../src/core/signing/payload-types.js';
import { ed25519 } from './helpers.js';

const manifest = Buffer.from('source_db: a\ntarget_db: b\n');
const MAX = 64 * 1024;

function openssl(args: string[], input?: Buffer): Buffer {
  try {
    return execFileSync('openssl', args, { ...(input ? { input } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('openssl is required: apt-get install -y openssl', { cause: e });
    throw e;
  }
}

function envelope(type: string, payload: Buffer, sig: Buffer): Buffer {
  return Buffer.from(
    JSON.stringify({
      payloadType: type,
      payload: payload.toString('base64'),
      signatures: [{ sig: sig.toString('base64') }],
    }),
  );
}

/** The high-S twin of a low-S signature: same (r), s -> n - s. Verifies under node:crypto. */
function highSOf(p1363: Buffer): Buffer {
  const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const s = BigInt(`0x${p1363.subarray(32).toString('hex')}`);
  return Buffer.concat([p1363.subarray(0, 32), Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex')]);
}

function lowSSignature(key: KeyObject, data: Buffer): Buffer {
  return lowSOf(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }));
}

describe('signature algorithms and payload types (issue 11)', () => {
  const ed = ed25519();
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p256Pinned = { id: 'p256', key: p256.publicKey };

  it('refuses RSA-1024, P-384 with SHA-256 and secp256k1 signatures that node:crypto would verify, naming each algorithm', () => {
    const cases: [KeyObject, KeyObject, string][] = [];
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    cases.push([rsa.privateKey, rsa.publicKey, 'RSA-1024']);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    cases.push([p384.privateKey, p384.publicKey, 'ECDSA P-384']);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    cases.push([k1.privateKey, k1.publicKey, 'ECDSA secp256k1']);
    for (const [priv, pub, name] of cases) {
      const sig = sign('sha256', manifest, priv);
      const r = verifySignature(manifest, { kind: 'detached', bytes: sig }, [{ id: 'k', key: pub }], MAX);
      expect(r.facts.verified, name).to.equal(false);
      expect(r.findings[0]!.message, name).to.contain(name).and.to.contain('Ed25519 or ECDSA P-256');
    }
  });

  it('P-256 low-S verifies, its high-S twin is refused naming high-S (DER and P1363, detached and DSSE)', () => {
    const low = lowSSignature(p256.privateKey, manifest);
    const high = highSOf(low);
    expect(parseP256Signature(high)).to.include({ ok: true, highS: true });
    for (const enc of [(b: Buffer) => b, toDer]) {
      expect(
        verifySignature(manifest, { kind: 'detached', bytes: enc(low) }, [p256Pinned], MAX).facts.verified,
      ).to.equal(true);
      const r = verifySignature(manifest, { kind: 'detached', bytes: enc(high) }, [p256Pinned], MAX);
      expect(r.facts.verified).to.equal(false);
      expect(r.findings[0]!.message).to.contain('high-S');
    }
    const data = pae(REPLICATION_MANIFEST_PAYLOAD_TYPE, manifest);
    const dlow = lowSSignature(p256.privateKey, data);
    expect(
      verifySignature(
        manifest,
        { kind: 'dsse', bytes: envelope(REPLICATION_MANIFEST_PAYLOAD_TYPE, manifest, dlow) },
        [p256Pinned],
        MAX,
      ).facts.verified,
    ).to.equal(true);
    const r = verifySignature(
      manifest,
      { kind: 'dsse', bytes: envelope(REPLICATION_MANIFEST_PAYLOAD_TYPE, manifest, toDer(highSOf(dlow))) },
      [p256Pinned],
      MAX,
    );
    expect(r.findings[0]!.message).to.contain('high-S');
  });

  it('refuses lenient DER (non-minimal INTEGER, trailing bytes) even where node:crypto may accept it', () => {
    const der = toDer(lowSSignature(p256.privateKey, manifest));
    const trailing = Buffer.concat([der, Buffer.from([0])]);
    expect(
      verifySignature(manifest, { kind: 'detached', bytes: trailing }, [p256Pinned], MAX).facts.verified,
    ).to.equal(false);
  });

  it('a DSSE envelope must carry exactly the replication payloadType', () => {
    for (const type of [
      '',
      'application/vnd.in-toto+json',
      MIGRATION_MANIFEST_PAYLOAD_TYPE,
      `${REPLICATION_MANIFEST_PAYLOAD_TYPE} `,
      REPLICATION_MANIFEST_PAYLOAD_TYPE.toUpperCase(),
    ]) {
      const env = envelope(type, manifest, sign(null, pae(type, manifest), ed.privateKey));
      const r = verifySignature(manifest, { kind: 'dsse', bytes: env }, [ed.pinned], MAX);
      expect(r.facts.verified, JSON.stringify(type)).to.equal(false);
      expect(r.findings[0]!.rule).to.equal('signature-malformed');
      expect(r.findings[0]!.message).to.contain(REPLICATION_MANIFEST_PAYLOAD_TYPE);
    }
  });

  describe('with keys and signatures from the openssl CLI', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gate-openssl-'));
    const file = path.join(dir, 'manifest.yaml');
    writeFileSync(file, manifest);

    it('Ed25519 (openssl genpkey, pkeyutl -sign -rawin) verifies', () => {
      const key = path.join(dir, 'ed.key');
      openssl(['genpkey', '-algorithm', 'ed25519', '-out', key]);
      const pub = createPublicKey(openssl(['pkey', '-in', key, '-pubout']));
      const sig = openssl(['pkeyutl', '-sign', '-rawin', '-inkey', key, '-in', file]);
      const r = verifySignature(
        manifest,
        { kind: 'detached', bytes: Buffer.from(sig.toString('base64')) },
        [{ id: 'ed', key: pub }],
        MAX,
      );
      expect(r.facts).to.include({ verified: true, key_id: 'ed' });
    });

    it('P-256 (openssl dgst -sha256 -sign): low-S outputs verify, high-S outputs are refused naming high-S', () => {
      const key = path.join(dir, 'p256.key');
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
      const pub = createPublicKey(openssl(['pkey', '-in', key, '-pubout']));
      const seen = { low: 0, high: 0 };
      // openssl does not normalise s: about half its signatures are high-S.
      for (let i = 0; i < 40 && (seen.low === 0 || seen.high === 0); i++) {
        const der = openssl(['dgst', '-sha256', '-sign', key, file]);
        const parsed = parseP256Signature(der);
        expect(parsed.ok).to.equal(true);
        const r = verifySignature(manifest, { kind: 'detached', bytes: der }, [{ id: 'p', key: pub }], MAX);
        if (parsed.ok && parsed.highS) {
          seen.high++;
          expect(r.findings[0]!.message).to.contain('high-S');
        } else {
          seen.low++;
          expect(r.facts.verified).to.equal(true);
        }
      }
      expect(seen.low).to.be.greaterThan(0);
      expect(seen.high).to.be.greaterThan(0);
    });

    it('secp256k1 and P-384 keys made by openssl are refused by name', () => {
      for (const [curve, name] of [
        ['secp256k1', 'secp256k1'],
        ['P-384', 'P-384'],
      ] as const) {
        const key = path.join(dir, `${curve}.key`);
        openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', key]);
        const pub = createPublicKey(createPrivateKey(readFileSync(key)));
        const der = openssl(['dgst', '-sha256', '-sign', key, file]);
        const r = verifySignature(manifest, { kind: 'detached', bytes: der }, [{ id: 'x', key: pub }], MAX);
        expect(r.facts.verified).to.equal(false);
        expect(r.findings[0]!.message).to.contain(name);
      }
    });
  });
});
