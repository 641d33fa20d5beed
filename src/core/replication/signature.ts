// Step 3: the manifest's signature, against pinned public keys only (no X.509
// chains). A missing signature is not a failure here: whether one is required
// is a policy (facts.signature.present / verified).
import { verify, type KeyObject } from 'node:crypto';
import type { PinnedKey } from '../ports.js';
import type { Finding } from '../contracts/report.js';
import { blockFinding } from './findings.js';
import { decodeBase64Strict, pae, parseDsseEnvelope } from './dsse.js';

export interface SignatureInput {
  kind: 'detached' | 'dsse';
  bytes: Uint8Array;
}

export interface SignatureFacts {
  present: boolean;
  verified: boolean;
  format: 'dsse' | 'detached' | 'none';
  key_id: string;
}

export interface SignatureOutcome {
  facts: SignatureFacts;
  findings: Finding[];
}

export function verifySignature(manifest: Uint8Array, sig: SignatureInput | undefined, keys: readonly PinnedKey[], maxBytes: number): SignatureOutcome {
  if (!sig) return { facts: { present: false, verified: false, format: 'none', key_id: '' }, findings: [] };
  const facts: SignatureFacts = { present: true, verified: false, format: sig.kind, key_id: '' };
  const bad = (rule: 'signature-invalid' | 'signature-malformed' | 'signature-payload-mismatch', message: string): SignatureOutcome =>
    ({ facts, findings: [blockFinding(rule, message)] });
  if (sig.bytes.byteLength > maxBytes) return bad('signature-malformed', `${sig.kind} signature is ${sig.bytes.byteLength} bytes; the limit is ${maxBytes}`);
  if (keys.length === 0) return bad('signature-invalid', 'a signature was supplied but no public key is pinned; cannot verify');

  let candidates: { data: Uint8Array; sig: Uint8Array; keyid?: string }[];
  if (sig.kind === 'dsse') {
    const env = parseDsseEnvelope(sig.bytes);
    if (typeof env === 'string') return bad('signature-malformed', env);
    // The envelope must carry exactly these manifest bytes, or it signs something else.
    if (!Buffer.from(env.payload).equals(Buffer.from(manifest))) {
      return bad('signature-payload-mismatch', 'the DSSE payload is not the replication manifest that was supplied');
    }
    const data = pae(env.payloadType, env.payload);
    candidates = env.signatures.map((s) => ({ data, sig: s.sig, ...(s.keyid ? { keyid: s.keyid } : {}) }));
  } else {
    const decoded = decodeDetached(sig.bytes);
    if (!decoded) return bad('signature-malformed', 'detached signature is empty');
    candidates = [{ data: manifest, sig: decoded }];
  }
  for (const c of candidates) {
    const key = findVerifyingKey(c.data, c.sig, orderKeys(keys, c.keyid));
    if (key) {
      facts.verified = true;
      facts.key_id = key.id;
      return { facts, findings: [] };
    }
  }
  const types = [...new Set(keys.map((k) => k.key.asymmetricKeyType ?? 'unknown'))].join(', ');
  return bad('signature-invalid', `the ${sig.kind} signature does not verify against any pinned key (pinned key types: ${types})`);
}

/**
 * cosign sign-blob and `openssl … | base64` give base64 text; `openssl dgst
 * -sign -out` gives raw DER. Text that is entirely base64 is decoded.
 */
function decodeDetached(bytes: Uint8Array): Uint8Array | undefined {
  const text = Buffer.from(bytes).toString('latin1').replace(/\s+/g, '');
  if (text.length === 0) return undefined;
  if (/^[A-Za-z0-9+/=_-]+$/.test(text)) {
    const d = decodeBase64Strict(text);
    if (d && d.length > 0) return d;
  }
  return bytes;
}

function orderKeys(keys: readonly PinnedKey[], keyid: string | undefined): readonly PinnedKey[] {
  if (!keyid) return keys;
  return [...keys.filter((k) => k.id === keyid), ...keys.filter((k) => k.id !== keyid)];
}

function findVerifyingKey(data: Uint8Array, sig: Uint8Array, keys: readonly PinnedKey[]): PinnedKey | undefined {
  return keys.find((k) => verifiesWith(data, sig, k.key));
}

/** One attempt per encoding the key type allows; a wrong type simply does not verify. */
function verifiesWith(data: Uint8Array, sig: Uint8Array, key: KeyObject): boolean {
  if (key.type !== 'public') return false;
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return sig.length === 64 && safeVerify(() => verify(null, data, key, sig));
    case 'ec':
      // DER (openssl, cosign) or IEEE P1363 r||s (some DSSE signers).
      return safeVerify(() => verify('sha256', data, key, sig))
        || safeVerify(() => verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig));
    case 'rsa':
      return safeVerify(() => verify('sha256', data, key, sig));
    default:
      return false;
  }
}

/** A malformed signature makes node:crypto throw; for us that is simply "does not verify". */
function safeVerify(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}
