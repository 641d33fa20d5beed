// Issue 12 item 1: the T1 manifest is signed like the T2 one, through the
// same verifier, with its own fixed DSSE payloadType.
import { expect } from 'chai';
import { generateKeyPairSync, sign } from 'node:crypto';
import { evaluateConfigCheck as evaluateMigration } from '../../../src/core/config-check.js';
import { pae } from '../../../src/core/replication/dsse.js';
import {
  MIGRATION_MANIFEST_PAYLOAD_TYPE,
  REPLICATION_MANIFEST_PAYLOAD_TYPE,
} from '../../../src/core/signing/payload-types.js';
import { signDetached } from '../../../src/core/signing/sign.js';
import { parseP256Signature } from '../../../src/core/signing/ecdsa-low-s.js';
import { manifestFor } from '../../support/t1-manifest.js';

const config = Buffer.from('tls:\n  enabled: true\n');
const manifest = manifestFor(config, { app_id: 'a', env: 'prod', version: '1' });
const ed = generateKeyPairSync('ed25519');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keys = [
  { id: 'release-ed', key: ed.publicKey },
  { id: 'release-p256', key: p256.publicKey },
];
let seen: unknown;
const policies = (vars: { signature: unknown }): [] => {
  seen = vars.signature;
  return [];
};
const step = (e: ReturnType<typeof evaluateMigration>) => e.steps.find((s) => s.step === 'signature')!;
const envelope = (type: string, sig: Buffer): Buffer =>
  Buffer.from(
    JSON.stringify({
      payloadType: type,
      payload: manifest.toString('base64'),
      signatures: [{ sig: sig.toString('base64') }],
    }),
  );

describe('T1 manifest signature (issue 12)', () => {
  it('a detached Ed25519 signature verifies; the step names the key; policies see signature.verified', () => {
    const e = evaluateMigration({
      manifest,
      config,
      keys,
      policies,
      signature: { kind: 'detached', bytes: Buffer.from(signDetached(manifest, ed.privateKey)) },
    });
    expect(step(e)).to.deep.include({ status: 'pass' });
    expect(step(e).detail).to.contain('release-ed');
    expect(seen).to.deep.equal({ present: true, verified: true, format: 'detached', key_id: 'release-ed' });
  });

  it('the CLI signer makes low-S P-256 signatures, every time', () => {
    for (let i = 0; i < 30; i++) {
      const sig = Buffer.from(signDetached(manifest, p256.privateKey).trim(), 'base64');
      expect(parseP256Signature(sig)).to.include({ ok: true, highS: false });
      const e = evaluateMigration({
        manifest,
        config,
        keys,
        policies,
        signature: { kind: 'detached', bytes: sig },
      });
      expect(step(e).status).to.equal('pass');
    }
  });

  it('refuses to sign with an RSA key', () => {
    expect(() =>
      signDetached(manifest, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
    ).to.throw(/RSA-2048 is not accepted/);
  });

  it('a DSSE envelope needs the T1 payloadType, not the replication one', () => {
    const good = envelope(
      MIGRATION_MANIFEST_PAYLOAD_TYPE,
      sign(null, pae(MIGRATION_MANIFEST_PAYLOAD_TYPE, manifest), ed.privateKey),
    );
    expect(
      step(evaluateMigration({ manifest, config, keys, policies, signature: { kind: 'dsse', bytes: good } }))
        .status,
    ).to.equal('pass');
    const other = envelope(
      REPLICATION_MANIFEST_PAYLOAD_TYPE,
      sign(null, pae(REPLICATION_MANIFEST_PAYLOAD_TYPE, manifest), ed.privateKey),
    );
    const e = evaluateMigration({
      manifest,
      config,
      keys,
      policies,
      signature: { kind: 'dsse', bytes: other },
    });
    expect(e.findings.map((f) => f.rule)).to.deep.equal(['signature-malformed']);
    expect(e.findings[0]!.message).to.contain(MIGRATION_MANIFEST_PAYLOAD_TYPE);
  });

  it('a signature from an unpinned key, or over other bytes, BLOCKs with signature-invalid', () => {
    const stranger = generateKeyPairSync('ed25519');
    for (const bytes of [
      Buffer.from(signDetached(manifest, stranger.privateKey)),
      Buffer.from(signDetached(Buffer.from(`${manifest.toString()} `), ed.privateKey)),
    ]) {
      const e = evaluateMigration({
        manifest,
        config,
        keys,
        policies,
        signature: { kind: 'detached', bytes },
      });
      expect(e.findings.map((f) => f.rule)).to.deep.equal(['signature-invalid']);
      expect(e.steps.find((s) => s.step === 'policies')!.status).to.equal('skipped');
    }
  });

  it('a signature with the manifest as a decoded object is refused (its bytes are what is signed)', () => {
    const e = evaluateMigration({
      manifest: JSON.parse(manifest.toString()) as unknown,
      config,
      keys,
      policies,
      signature: { kind: 'detached', bytes: Buffer.from(signDetached(manifest, ed.privateKey)) },
    });
    expect(e.findings.map((f) => f.rule)).to.deep.equal(['signature-malformed']);
  });

  it('no signature: the step is skipped and policies see present=false', () => {
    const e = evaluateMigration({ manifest, config, keys, policies });
    expect(step(e).status).to.equal('skipped');
    expect(seen).to.deep.include({ present: false, verified: false });
  });
});
