// C2SP tlog-cosignature/v1 (https://c2sp.org/tlog-cosignature): a witness's
// timestamped signature over a checkpoint it verified. The signed message is
// `cosignature/v1\ntime <t>\n` + the checkpoint text; the signature line
// carries keyid || 8-byte big-endian time || Ed25519 signature. Pure: the
// caller passes the time.
import { sign, verify, type KeyObject } from 'node:crypto';
import {
  keyId,
  rawEd25519,
  SIG_TYPE_COSIGNATURE,
  type Note,
  type NoteSignature,
  type NoteVerifier,
} from './signed-note.js';

function message(text: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${text}`, 'utf8');
}

export function cosign(
  text: string,
  time: number,
  name: string,
  privateKey: KeyObject,
  publicKey: KeyObject,
): NoteSignature {
  const id = keyId(name, SIG_TYPE_COSIGNATURE, rawEd25519(publicKey));
  const t = Buffer.alloc(8);
  t.writeBigUInt64BE(BigInt(time));
  return { name, bytes: Buffer.concat([id, t, sign(null, message(text, time), privateKey)]) };
}

/** The time of `witness`'s valid cosignature on `note`, or undefined. */
export function cosignedAt(note: Note, witness: NoteVerifier): number | undefined {
  if (witness.type !== SIG_TYPE_COSIGNATURE) return undefined;
  for (const s of note.signatures) {
    if (
      s.name !== witness.name ||
      s.bytes.length !== 4 + 8 + 64 ||
      !s.bytes.subarray(0, 4).equals(witness.keyId)
    )
      continue;
    const time = Number(s.bytes.readBigUInt64BE(4));
    if (verify(null, message(note.text, time), witness.publicKey, s.bytes.subarray(12))) return time;
  }
  return undefined;
}
