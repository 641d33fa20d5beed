// The signer behind `migration-gate manifest sign`: a detached signature over
// the exact file bytes, in the one form the verifier accepts (Ed25519, or
// ECDSA P-256/SHA-256 normalised to low-S, DER), base64 with a newline.
import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { classifyKey } from './key-policy.js';
import { lowSOf, p1363ToDer } from './ecdsa-low-s.js';

export function signDetached(bytes: Uint8Array, privateKey: KeyObject): string {
  if (privateKey.type !== 'private') throw new Error('the signing key must be a private key');
  const kind = classifyKey(createPublicKey(privateKey));
  if (!kind.ok) throw new Error(`cannot sign with this key: ${kind.reason}`);
  const sig =
    kind.algorithm === 'ed25519'
      ? sign(null, bytes, privateKey)
      : p1363ToDer(lowSOf(sign('sha256', bytes, { key: privateKey, dsaEncoding: 'ieee-p1363' })));
  return `${sig.toString('base64')}\n`;
}
