// The one signature verifier for T1 and T2 manifests: a DSSE envelope with the
// document's fixed payloadType, or a detached signature over the exact
// manifest bytes, against pinned public keys only (no X.509 chains). A missing
// signature is not a failure here: whether one is required is a policy
// (facts.signature.present / verified).
import { verify, type KeyObject } from 'node:crypto';
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

/** One signature tried against one pinned key. */
export interface SignatureTrial {
  data: Uint8Array;
  sig: Uint8Array;
  key: PinnedKey;
}

export type TrialResult = 'ok' | 'no' | 'high-s';

/**
 * What checking a signature takes: either the answer already (no signature,
 * malformed, no usable key), or the trials to run, in order, and how their
 * results decide. Running the trials is the only expensive part (an Ed25519
 * verification is ~250 µs here), so the caller may run them where it likes:
 * inline (verifyManifestSignature) or in the thread pool
 * (services/validation/signature-off-loop.ts); both decide the same way.
 */
export type SignaturePlan =
  | { outcome: SignatureOutcome }
  | { trials: SignatureTrial[]; decide: (results: readonly TrialResult[]) => SignatureOutcome };

export function verifyManifestSignature(
  manifest: Uint8Array,
  sig: SignatureInput | undefined,
  keys: readonly PinnedKey[],
  opts: VerifyOptions,
): SignatureOutcome {
  const plan = planSignatureCheck(manifest, sig, keys, opts);
  if ('outcome' in plan) return plan.outcome;
  const results: TrialResult[] = [];
  for (const trial of plan.trials) {
    const call = trialCall(trial);
    const r =
      call === undefined
        ? 'no'
        : resultOf(
            call,
            safeVerify(() => runCall(trial.data, call)),
          );
    results.push(r);
    if (r === 'ok') break;
  }
  return plan.decide(results);
}

export function planSignatureCheck(
  manifest: Uint8Array,
  sig: SignatureInput | undefined,
  keys: readonly PinnedKey[],
  opts: VerifyOptions,
): SignaturePlan {
  if (!sig)
    return {
      outcome: { facts: { present: false, verified: false, format: 'none', key_id: '' }, findings: [] },
    };
  const facts: SignatureFacts = { present: true, verified: false, format: sig.kind, key_id: '' };
  const bad = (rule: SignatureRule, message: string): SignatureOutcome => ({
    facts,
    findings: [{ rule, severity: 'critical', action: 'block', message }],
  });
  if (sig.bytes.byteLength > opts.maxBytes)
    return {
      outcome: bad(
        'signature-malformed',
        `${sig.kind} signature is ${sig.bytes.byteLength} bytes; the limit is ${opts.maxBytes}`,
      ),
    };
  const usable = keys.filter((k) => classifyKey(k.key).ok);
  if (usable.length === 0) {
    const refused =
      keys.length > 0
        ? ` (pinned but refused: ${[...new Set(keys.map((k) => keyAlgorithmName(k.key)))].join(', ')}; only ${ACCEPTED_ALGORITHMS_TEXT})`
        : '';
    return {
      outcome: bad(
        'signature-invalid',
        `a signature was supplied but no usable public key is pinned; cannot verify${refused}`,
      ),
    };
  }
  const candidates = signatureCandidates(manifest, sig, opts);
  if ('rule' in candidates) return { outcome: bad(candidates.rule, candidates.message) };
  const trials = candidates.flatMap((c) =>
    orderKeys(usable, c.keyid).map((key) => ({ data: c.data, sig: c.sig, key })),
  );
  const decide = (results: readonly TrialResult[]): SignatureOutcome => {
    const ok = results.indexOf('ok');
    if (ok >= 0 && trials[ok]) {
      facts.verified = true;
      facts.key_id = trials[ok].key.id;
      return { facts, findings: [] };
    }
    if (results.includes('high-s')) {
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
  };
  return { trials, decide };
}

/** The signed bytes and signatures a DSSE envelope or a detached signature carries, or why there are none. */
function signatureCandidates(
  manifest: Uint8Array,
  sig: SignatureInput,
  opts: VerifyOptions,
): { data: Uint8Array; sig: Uint8Array; keyid?: string }[] | { rule: SignatureRule; message: string } {
  const malformed = (message: string) => ({ rule: 'signature-malformed' as const, message });
  if (sig.kind === 'detached') {
    const decoded = decodeDetached(sig.bytes);
    return decoded ? [{ data: manifest, sig: decoded }] : malformed('detached signature is empty');
  }
  const env = parseDsseEnvelope(sig.bytes);
  if (typeof env === 'string') return malformed(env);
  // A fixed type per document: an envelope made for something else is not this document's signature.
  if (env.payloadType !== opts.payloadType)
    return malformed(
      `the DSSE payloadType is not ${opts.payloadType} (the type of a ${opts.document}); it names another kind of document`,
    );
  // The envelope must carry exactly these manifest bytes, or it signs something else.
  if (!Buffer.from(env.payload).equals(Buffer.from(manifest)))
    return {
      rule: 'signature-payload-mismatch',
      message: `the DSSE payload is not the ${opts.document} that was supplied`,
    };
  const data = pae(env.payloadType, env.payload);
  return env.signatures.map((s) => ({ data, sig: s.sig, ...(s.keyid ? { keyid: s.keyid } : {}) }));
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

/** The node:crypto call one trial needs: exactly one encoding per accepted algorithm; undefined never verifies. */
export interface TrialCall {
  algorithm: 'sha256' | null;
  key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' };
  sig: Uint8Array;
  /** A valid ECDSA signature in its malleable high-S form: it verifies, and is refused by name. */
  highS: boolean;
}

export function trialCall({ sig, key }: SignatureTrial): TrialCall | undefined {
  const kind = classifyKey(key.key);
  if (!kind.ok) return undefined;
  if (kind.algorithm === 'ed25519')
    return sig.length === 64 ? { algorithm: null, key: key.key, sig, highS: false } : undefined;
  // ECDSA P-256, SHA-256: our own strict parse, then node:crypto on the canonical r||s.
  const parsed = parseP256Signature(sig);
  if (!parsed.ok) return undefined;
  return {
    algorithm: 'sha256',
    key: { key: key.key, dsaEncoding: 'ieee-p1363' },
    sig: parsed.p1363,
    highS: parsed.highS,
  };
}

export function resultOf(call: TrialCall, verified: boolean): TrialResult {
  if (!verified) return 'no';
  return call.highS ? 'high-s' : 'ok';
}

function runCall(data: Uint8Array, call: TrialCall): boolean {
  return verify(call.algorithm, data, call.key, call.sig);
}

/** A malformed signature makes node:crypto throw; for us that is simply "does not verify". */
function safeVerify(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}
