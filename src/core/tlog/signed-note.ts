// C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 keys: the
// format Go's golang.org/x/mod/sumdb/note reads. A note is text ending in a
// newline, a blank line, then signature lines `— <name> <base64(keyid ||
// signature)>`. node:crypto is computation, not I/O. Pure.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** The signature types of the spec this module uses. */
export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE = 0x04;
const DASH = '\u2014';

export interface NoteSignature {
  name: string;
  /** keyid (4 bytes) || signature bytes. */
  bytes: Buffer;
}

export interface Note {
  text: string;
  signatures: NoteSignature[];
}

/** A public key as signed-note verifiers name it. */
export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  type: number;
  publicKey: KeyObject;
  /** 32 raw Ed25519 bytes. */
  raw: Buffer;
}

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/\p{C}/u.test(name);
}

export function keyId(name: string, type: number, raw: Uint8Array): Buffer {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.of(0x0a, type))
    .update(raw)
    .digest()
    .subarray(0, 4);
}

export function rawEd25519(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function ed25519FromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error(`an Ed25519 public key is 32 bytes, not ${raw.length}`);
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

export function verifierFor(name: string, publicKey: KeyObject, type = SIG_TYPE_ED25519): NoteVerifier {
  if (!isValidKeyName(name))
    throw new Error(`"${name}" is not a valid signed-note key name (no spaces or +)`);
  const raw = rawEd25519(publicKey);
  return { name, type, publicKey, raw, keyId: keyId(name, type, raw) };
}

/** `<name>+<keyid hex>+<base64(type || key)>`, the vkey Go's note.NewVerifier parses. */
export function encodeVerifierKey(v: NoteVerifier): string {
  return `${v.name}+${v.keyId.toString('hex')}+${Buffer.concat([Buffer.of(v.type), v.raw]).toString('base64')}`;
}

/** Parses a vkey; throws with a reason when it is malformed or its key id does not match. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // The base64 key may itself contain '+': split at the first two only, as Go's note package does.
  const m = /^([^+]+)\+([^+]*)\+(.*)$/s.exec(vkey.trim());
  if (!m) throw new Error('a verifier key is <name>+<key id>+<base64 key>');
  const [, name, hash, b64] = m as unknown as [string, string, string, string];
  if (!isValidKeyName(name)) throw new Error('the verifier key name is not valid');
  if (!/^[0-9a-f]{8}$/.test(hash)) throw new Error('the verifier key id is not 8 hex digits');
  const bytes = strictBase64(b64);
  if (!bytes || bytes.length !== 33)
    throw new Error('the verifier key is not base64 of a type byte and a 32-byte key');
  const type = bytes[0]!;
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE)
    throw new Error(`unsupported verifier key type 0x${type.toString(16)}`);
  const raw = bytes.subarray(1);
  const id = keyId(name, type, raw);
  if (id.toString('hex') !== hash) throw new Error('the verifier key id does not match the key');
  return { name, type, raw: Buffer.from(raw), publicKey: ed25519FromRaw(raw), keyId: id };
}

/** Canonical base64 or undefined: one meaning per encoding. */
export function strictBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

export function checkNoteText(text: string): string | undefined {
  if (text.length === 0 || !text.endsWith('\n')) return 'note text must be non-empty and end with a newline';
  if (text.includes('\n\n')) return 'note text must not contain a blank line';
  // eslint-disable-next-line no-control-regex -- the spec forbids control characters other than newline
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) return 'note text must not contain control characters';
  return undefined;
}

/** Signs `text` with an Ed25519 private key; the signature line's name is `name`. */
export function signNoteText(
  text: string,
  name: string,
  privateKey: KeyObject,
  publicKey: KeyObject,
): string {
  const problem = checkNoteText(text);
  if (problem) throw new Error(problem);
  const v = verifierFor(name, publicKey);
  const sig = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return signatureLine({ name, bytes: Buffer.concat([v.keyId, sig]) });
}

export function signatureLine(s: NoteSignature): string {
  return `${DASH} ${s.name} ${s.bytes.toString('base64')}\n`;
}

export function formatNote(note: Note): string {
  return `${note.text}\n${note.signatures.map(signatureLine).join('')}`;
}

/** Splits a note into its text and signature lines; undefined (with a reason) when it is not one. */
export function parseNote(note: string): { ok: true; note: Note } | { ok: false; problem: string } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, problem: 'no blank line between the note text and its signatures' };
  const text = note.slice(0, split + 1);
  const textProblem = checkNoteText(text);
  if (textProblem) return { ok: false, problem: textProblem };
  const rest = note.slice(split + 2);
  if (!rest.endsWith('\n'))
    return { ok: false, problem: 'the last signature line does not end with a newline' };
  const signatures: NoteSignature[] = [];
  for (const line of rest.slice(0, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    const bytes = m ? strictBase64(m[2]!) : undefined;
    if (!m || !bytes || bytes.length < 5 || !isValidKeyName(m[1]!))
      return { ok: false, problem: 'a signature line is not "— <name> <base64>"' };
    signatures.push({ name: m[1]!, bytes });
  }
  if (signatures.length === 0) return { ok: false, problem: 'the note has no signature' };
  if (signatures.length > 100) return { ok: false, problem: 'too many signatures' };
  return { ok: true, note: { text, signatures } };
}

/** The signatures on `note` that `v` made (matching name and key id) and that verify; others are ignored, as the spec says. */
export function verifiedBy(note: Note, v: NoteVerifier): boolean {
  if (v.type !== SIG_TYPE_ED25519) return false;
  return note.signatures.some(
    (s) =>
      s.name === v.name &&
      s.bytes.subarray(0, 4).equals(v.keyId) &&
      s.bytes.length === 68 &&
      verify(null, Buffer.from(note.text, 'utf8'), v.publicKey, s.bytes.subarray(4)),
  );
}
