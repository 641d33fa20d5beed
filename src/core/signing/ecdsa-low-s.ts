// ECDSA P-256 signatures in one strict form. (r, s) and (r, n - s) both
// verify, so an ECDSA signature is malleable unless s is required to be in
// the low half (s <= n/2, as Bitcoin, Ethereum and sigstore's tooling do).
// node:crypto accepts either half and lenient DER; the gate parses the
// signature itself, refuses high-S by name and verifies the canonical bytes.

/** The order of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = N >> 1n;

export type EcdsaParse = { ok: true; p1363: Buffer; highS: boolean } | { ok: false; reason: string };

/** DER (openssl dgst -sign, cosign) or IEEE P1363 r||s (64 bytes, some DSSE signers). */
export function parseP256Signature(sig: Uint8Array): EcdsaParse {
  const b = Buffer.from(sig);
  if (b.length === 64) return fromRS(b.subarray(0, 32), b.subarray(32));
  const der = parseDer(b);
  if (typeof der === 'string') return { ok: false, reason: der };
  return fromRS(der.r, der.s);
}

function fromRS(r: Buffer, s: Buffer): EcdsaParse {
  const rv = toBig(r);
  const sv = toBig(s);
  if (rv === 0n || sv === 0n || rv >= N || sv >= N)
    return { ok: false, reason: 'ECDSA r or s is out of range' };
  return { ok: true, p1363: Buffer.concat([pad32(rv), pad32(sv)]), highS: sv > HALF_N };
}

/** Strict DER: SEQUENCE { INTEGER r, INTEGER s }, minimal lengths, no trailing bytes. */
function parseDer(b: Buffer): { r: Buffer; s: Buffer } | string {
  if (b.length < 8 || b[0] !== 0x30) return 'ECDSA signature is neither DER nor 64-byte r||s';
  if (b[1] !== b.length - 2 || b[1]! >= 0x80) return 'ECDSA DER signature has a wrong or non-minimal length';
  let at = 2;
  const ints: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    if (b[at] !== 0x02) return 'ECDSA DER signature: expected an INTEGER';
    const len = b[at + 1]!;
    if (len === 0 || len >= 0x80 || at + 2 + len > b.length) return 'ECDSA DER signature: bad INTEGER length';
    const v = b.subarray(at + 2, at + 2 + len);
    if (v[0]! & 0x80) return 'ECDSA DER signature: negative INTEGER';
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return 'ECDSA DER signature: non-minimal INTEGER';
    ints.push(v);
    at += 2 + len;
  }
  if (at !== b.length) return 'ECDSA DER signature has trailing bytes';
  return { r: ints[0]!, s: ints[1]! };
}

function toBig(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
}

function pad32(v: bigint): Buffer {
  return Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
}

/** s -> n - s: the low-S twin of a high-S signature (used by the signer, never to accept one). */
export function lowSOf(p1363: Buffer): Buffer {
  const s = toBig(p1363.subarray(32));
  return s > HALF_N ? Buffer.concat([p1363.subarray(0, 32), pad32(N - s)]) : p1363;
}

/** r||s as minimal DER, the encoding openssl and cosign use for detached signatures. */
export function p1363ToDer(p1363: Buffer): Buffer {
  const int = (b: Buffer): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(p1363.subarray(0, 32)), int(p1363.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
