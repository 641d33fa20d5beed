// Digest parsing, the hash-algorithm policy, timing-safe compare and RFC 8785
// canonical JSON. node:crypto is computation, not I/O, so it belongs here.
import { hash, timingSafeEqual } from 'node:crypto';

export type StrongAlgorithm = 'sha256' | 'sha384' | 'sha512';
const HEX_LENGTH: Record<StrongAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };
const WEAK = new Set(['md5', 'sha1', 'sha-1', 'crc32', 'crc32c', 'md4', 'sha224']);

export type ParsedDigest =
  | { ok: true; algorithm: StrongAlgorithm; hex: string }
  | { ok: false; kind: 'outdated' | 'unknown' | 'malformed'; message: string };

/**
 * Accepts `sha256:<hex>` or bare hex (the length decides the algorithm).
 * Weak algorithms, named or guessed from a 32/40-hex length, are "outdated".
 */
export function parseDigest(
  value: string,
  allowed: readonly StrongAlgorithm[] = ['sha256', 'sha384', 'sha512'],
): ParsedDigest {
  const trimmed = value.trim();
  const m = /^([a-z0-9-]+):(.*)$/i.exec(trimmed);
  const algo = m ? m[1]!.toLowerCase() : undefined;
  const hex = (m ? m[2]! : trimmed).toLowerCase();
  if (algo !== undefined && WEAK.has(algo)) {
    return {
      ok: false,
      kind: 'outdated',
      message: `${algo} is an outdated hash algorithm; use sha256 or stronger`,
    };
  }
  if (algo !== undefined && !(algo in HEX_LENGTH)) {
    return { ok: false, kind: 'unknown', message: `unknown hash algorithm "${algo.slice(0, 20)}"` };
  }
  if (!/^[0-9a-f]*$/.test(hex)) {
    return { ok: false, kind: 'malformed', message: 'digest is not hexadecimal' };
  }
  if (algo === undefined) {
    if (hex.length === 32 || hex.length === 40 || hex.length === 8) {
      return {
        ok: false,
        kind: 'outdated',
        message: `a ${hex.length}-hex digest is md5/sha1/crc32-sized: outdated hashing; use sha256`,
      };
    }
    const guessed = (Object.keys(HEX_LENGTH) as StrongAlgorithm[]).find((a) => HEX_LENGTH[a] === hex.length);
    if (!guessed)
      return {
        ok: false,
        kind: 'malformed',
        message: `digest has ${hex.length} hex chars; expected 64 (sha256)`,
      };
    return allowedOrNot(guessed, hex, allowed);
  }
  const a = algo as StrongAlgorithm;
  if (hex.length !== HEX_LENGTH[a]) {
    return {
      ok: false,
      kind: 'malformed',
      message: `${a} digest must have ${HEX_LENGTH[a]} hex chars, found ${hex.length}`,
    };
  }
  return allowedOrNot(a, hex, allowed);
}

function allowedOrNot(
  algorithm: StrongAlgorithm,
  hex: string,
  allowed: readonly StrongAlgorithm[],
): ParsedDigest {
  if (!allowed.includes(algorithm)) {
    return {
      ok: false,
      kind: 'unknown',
      message: `${algorithm} is not accepted here (allowed: ${allowed.join(', ')})`,
    };
  }
  return { ok: true, algorithm, hex };
}

export function digestHex(algorithm: StrongAlgorithm | 'sha256', data: Uint8Array | string): string {
  // One-shot: half the cost of createHash().update().digest() on a record-sized input.
  return hash(algorithm, data, 'hex');
}

export function sha256Hex(data: Uint8Array | string): string {
  return digestHex('sha256', data);
}

/** Constant-time equality of two hex digests (length leaks, content does not). */
export function digestsEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex.toLowerCase(), 'utf8');
  const b = Buffer.from(bHex.toLowerCase(), 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Shortened digest for human messages. */
export function shortHex(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}

/**
 * RFC 8785 (JCS) canonical JSON. ECMAScript's JSON.stringify already
 * serialises numbers and strings the way JCS requires; JCS adds sorting of
 * object keys by UTF-16 code units and forbids non-finite numbers.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return canonicalArray(value);
  if (typeof value === 'object') return canonicalObject(value as Record<string, unknown>);
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}

// Loops and string appends rather than entries/filter/map/join: every audit
// record is hashed through here, and the intermediate arrays were most of its cost.
function canonicalArray(value: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ',';
    const v = value[i];
    out += canonicalJson(v === undefined ? null : v);
  }
  return `${out}]`;
}

function canonicalObject(value: Record<string, unknown>): string {
  // Default sort compares UTF-16 code units, which is JCS's key order.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const k of keys) {
    const v = value[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** An object's canonical JSON members, serialized once (sorted keys; undefined values dropped). */
export interface CanonicalMembers {
  keys: string[];
  texts: string[];
}

export function canonicalMembers(value: Record<string, unknown>): CanonicalMembers {
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return { keys, texts: keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`) };
}

/**
 * canonicalJson of the object the members are of, or of it with one more
 * key (not already among them): an audit record's chain hash is over the
 * record without `hash`, its Merkle leaf over the record with it.
 */
export function canonicalFromMembers(m: CanonicalMembers, extra?: [string, unknown]): string {
  if (!extra) return `{${m.texts.join(',')}}`;
  const [key, value] = extra;
  if (m.keys.includes(key)) throw new TypeError(`the object already has a ${JSON.stringify(key)} member`);
  // String comparison is by UTF-16 code units, the order sort() gave the keys.
  let at = m.keys.findIndex((k) => k > key);
  if (at < 0) at = m.keys.length;
  const texts = [...m.texts];
  texts.splice(at, 0, `${JSON.stringify(key)}:${canonicalJson(value)}`);
  return `{${texts.join(',')}}`;
}

/**
 * SHA-256 (hex) over a canonical, length-prefixed encoding of a JSON value:
 * the same value in any key order gives the same digest, and no two values
 * share an encoding (every string and container carries its length). For
 * digests that only ever meet digests made here (judged content), where
 * JSON-escaping a large string (~17 µs for a 4 KB config) costs more than
 * hashing it. Not JSON: a digest that leaves the gate uses canonicalJson.
 */
export function canonicalDigest(value: unknown): string {
  // One string, one hash: the same bytes as feeding each piece to a Hash (every piece is
  // well-formed UTF-16, so joining them changes no UTF-8 byte), at a fraction of the native calls.
  return hash('sha256', canonicalEncoding(value), 'hex');
}

function canonicalEncoding(value: unknown): string {
  if (value === null) return 'n';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'string') {
    // UTF-8 would map every lone surrogate to U+FFFD: such a string goes in escaped, under its own tag.
    return value.isWellFormed() ? `s${Buffer.byteLength(value)}:${value}` : `S${JSON.stringify(value)}`;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a canonical digest cannot hold a non-finite number');
    return `d${JSON.stringify(value)};`;
  }
  if (Array.isArray(value)) {
    let out = `a${value.length}:`;
    for (const v of value) out += canonicalEncoding(v === undefined ? null : v);
    return out;
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object)
      .filter((k) => object[k] !== undefined)
      .sort();
    let out = `o${keys.length}:`;
    for (const k of keys) out += canonicalEncoding(k) + canonicalEncoding(object[k]);
    return out;
  }
  throw new TypeError(`a canonical digest cannot hold a ${typeof value}`);
}
