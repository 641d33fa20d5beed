// The one signature verifier for T1 and T2 manifests: a DSSE envelope with the
// document's fixed payloadType, or a detached signature over the exact
// manifest bytes, against pinned public keys only (no X.509 chains). A missing
// signature is not a failure here: whether one is required is a policy
// (facts.signature.present / verified).
import { verify } from 'node:crypto';
import type { PinnedKey } from '../ports/keys.js';
import type { Finding } from '../contracts/report.js';
import { decodeBase64Strict, pae, parseDsseEnvelope } from '../replication/dsse.js';
import { ACCEPTED_ALGORITHMS_TEXT, classifyKey, keyAlgorithmName } from './key-policy.js';
import { parseP256Signature } from './ecdsa-low-s.js';

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

export interface VerifyOptions {
  maxBytes: number;
  /** The only DSSE payloadType accepted for this document. */
  payloadType: string;
  /** How reasons name the document: "replication manifest", "migration manifest". */
  document: string;
}

export type SignatureRule = 'signature-invalid' | 'signature-malformed' | 'signature-payload-mismatch';

export function verifyManifestSignature(
  manifest: Uint8Array,
  sig: SignatureInput | undefined,
  keys: readonly PinnedKey[],
  opts: VerifyOptions,
): SignatureOutcome {
  if (!sig) return { facts: { present: false, verified: false, format: 'none', key_id: '' }, findings: [] };
  const facts: SignatureFacts = { present: true, verified: false, format: sig.kind, key_id: '' };
  const bad = (rule: SignatureRule, message: string): SignatureOutcome => ({
    facts,
    findings: [{ rule, severity: 'critical', action: 'block', message }],
  });
  if (sig.bytes.byteLength > opts.maxBytes)
    return bad(
      'signature-malformed',
      `${sig.kind} signature is ${sig.bytes.byteLength} bytes; the limit is ${opts.maxBytes}`,
    );
  const usable = keys.filter((k) => classifyKey(k.key).ok);
  if (usable.length === 0) {
    const refused =
      keys.length > 0
        ? ` (pinned but refused: ${[...new Set(keys.map((k) => keyAlgorithmName(k.key)))].join(', ')}; only ${ACCEPTED_ALGORITHMS_TEXT})`
        : '';
    return bad(
      'signature-invalid',
      `a signature was supplied but no usable public key is pinned; cannot verify${refused}`,
    );
  }

  let candidates: { data: Uint8Array; sig: Uint8Array; keyid?: string }[];
  if (sig.kind === 'dsse') {
    const env = parseDsseEnvelope(sig.bytes);
    if (typeof env === 'string') return bad('signature-malformed', env);
    // A fixed type per document: an envelope made for something else is not this document's signature.
    if (env.payloadType !== opts.payloadType) {
      return bad(
        'signature-malformed',
        `the DSSE payloadType is not ${opts.payloadType} (the type of a ${opts.document}); it names another kind of document`,
      );
    }
    // The envelope must carry exactly these manifest bytes, or it signs something else.
    if (!Buffer.from(env.payload).equals(Buffer.from(manifest))) {
      return bad(
        'signature-payload-mismatch',
        `the DSSE payload is not the ${opts.document} that was supplied`,
      );
    }
    const data = pae(env.payloadType, env.payload);
    candidates = env.signatures.map((s) => ({ data, sig: s.sig, ...(s.keyid ? { keyid: s.keyid } : {}) }));
  } else {
    const decoded = decodeDetached(sig.bytes);
    if (!decoded) return bad('signature-malformed', 'detached signature is empty');
    candidates = [{ data: manifest, sig: decoded }];
  }
  let highS = false;
  for (const c of candidates) {
    for (const key of orderKeys(usable, c.keyid)) {
      const r = verifiesWith(c.data, c.sig, key);
      if (r === 'high-s') highS = true;
      if (r === 'ok') {
        facts.verified = true;
        facts.key_id = key.id;
        return { facts, findings: [] };
      }
    }
  }
  if (highS) {
    return bad(
      'signature-malformed',
      `the ${sig.kind} ECDSA signature is high-S (s > n/2, a malleable form); only low-S ECDSA signatures are accepted: re-sign with \`migration-gate manifest sign\``,
    );
  }
  const types = [...new Set(usable.map((k) => keyAlgorithmName(k.key)))].join(', ');
  return bad(
    'signature-invalid',
    `the ${sig.kind} signature does not verify against any pinned key (pinned key types: ${types})`,
  );
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

/** Exactly one encoding per accepted algorithm; any other key never verifies. */
function verifiesWith(data: Uint8Array, sig: Uint8Array, k: PinnedKey): 'ok' | 'no' | 'high-s' {
  const kind = classifyKey(k.key);
  if (!kind.ok) return 'no';
  if (kind.algorithm === 'ed25519')
    return sig.length === 64 && safeVerify(() => verify(null, data, k.key, sig)) ? 'ok' : 'no';
  // ECDSA P-256, SHA-256: our own strict parse, then node:crypto on the canonical r||s.
  const parsed = parseP256Signature(sig);
  if (!parsed.ok) return 'no';
  const good = safeVerify(() =>
    verify('sha256', data, { key: k.key, dsaEncoding: 'ieee-p1363' }, parsed.p1363),
  );
  if (!good) return 'no';
  return parsed.highS ? 'high-s' : 'ok';
}

/** A malformed signature makes node:crypto throw; for us that is simply "does not verify". */
function safeVerify(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}
