// The key algorithms the gate trusts, exactly as the README lists them:
// Ed25519, and ECDSA on P-256 with SHA-256 (low-S). Everything else (RSA of
// any size, P-384/P-521, secp256k1, DSA, X25519, ...) is refused by name, at
// key load and again at verification, so no path accepts a wider set.
import type { KeyObject } from 'node:crypto';

export type AcceptedKeyAlgorithm = 'ed25519' | 'ecdsa-p256';

export type KeyVerdict =
  { ok: true; algorithm: AcceptedKeyAlgorithm } | { ok: false; algorithm: string; reason: string };

export const ACCEPTED_ALGORITHMS_TEXT = 'Ed25519 or ECDSA P-256 (SHA-256, low-S)';

/** Names a key's algorithm the way an operator would recognise it ("RSA-1024", "ECDSA secp256k1"). */
export function keyAlgorithmName(key: KeyObject): string {
  const t = key.asymmetricKeyType ?? 'unknown';
  const d = key.asymmetricKeyDetails ?? {};
  if (t === 'rsa' || t === 'rsa-pss') return `${t.toUpperCase()}-${d.modulusLength ?? '?'}`;
  if (t === 'ec') return `ECDSA ${CURVE_NAMES[d.namedCurve ?? ''] ?? d.namedCurve ?? 'unknown curve'}`;
  if (t === 'dsa') return `DSA-${d.modulusLength ?? '?'}`;
  return t === 'ed25519' ? 'Ed25519' : t;
}

const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  secp256k1: 'secp256k1',
};

/**
 * A KeyObject never changes, and reading its type and details crosses into
 * OpenSSL on every access: each key is classified once (every signature
 * check asks, for every pinned key).
 */
const verdicts = new WeakMap<KeyObject, KeyVerdict>();

export function classifyKey(key: KeyObject): KeyVerdict {
  let verdict = verdicts.get(key);
  if (verdict === undefined) verdicts.set(key, (verdict = Object.freeze(classifyUncached(key))));
  return verdict;
}

function classifyUncached(key: KeyObject): KeyVerdict {
  const algorithm = keyAlgorithmName(key);
  if (key.type !== 'public') return { ok: false, algorithm, reason: `a ${key.type} key, not a public key` };
  if (key.asymmetricKeyType === 'ed25519') return { ok: true, algorithm: 'ed25519' };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return { ok: true, algorithm: 'ecdsa-p256' };
  return { ok: false, algorithm, reason: `${algorithm} is not accepted; only ${ACCEPTED_ALGORITHMS_TEXT}` };
}
