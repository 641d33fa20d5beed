// Pinned public keys (PEM) for manifest signatures, from a directory the
// operator fills or a mounted Secret. No certificate chains: a key is trusted
// because an operator put it there. A file that is not an accepted public key
// (a private key, RSA, P-384, secp256k1, ...) is refused naming the file and
// the algorithm, never silently widened into the trusted set.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KeyStore, Logger, PinnedKey } from '../core/ports.js';
import { classifyKey } from '../core/signing/key-policy.js';

export interface KeyFileRefusal {
  file: string;
  reason: string;
}

export interface KeyDirRead {
  keys: PinnedKey[];
  refused: KeyFileRefusal[];
  /** false when the directory does not exist (nothing is trusted). */
  present: boolean;
}

/** Reads every *.pem in dir; the accepted keys and, by file, every refusal. */
export async function readKeyDir(dir: string): Promise<KeyDirRead> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => /\.pem$/i.test(n)).sort();
  } catch {
    return { keys: [], refused: [], present: false };
  }
  const keys: PinnedKey[] = [];
  const refused: KeyFileRefusal[] = [];
  for (const name of names) {
    const one = await readKeyFile(path.join(dir, name));
    if (typeof one === 'string') refused.push({ file: name, reason: one });
    else keys.push({ id: name.replace(/\.pub\.pem$|\.pem$/i, ''), key: one });
  }
  return { keys, refused, present: true };
}

async function readKeyFile(file: string): Promise<KeyObject | string> {
  let pem: string;
  try {
    pem = await fs.readFile(file, 'utf8');
  } catch (e) {
    return `unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  // createPublicKey would happily derive a public key from a private one: a
  // private key in the trust directory is a mistake worth refusing loudly.
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) return 'holds a PRIVATE key; put only public keys in the key directory';
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return 'is not a PEM public key';
  }
  const verdict = classifyKey(key);
  return verdict.ok ? key : `refused: ${verdict.reason}`;
}

export async function loadPinnedKeys(dir: string, logger: Logger): Promise<KeyStore> {
  const read = await readKeyDir(dir);
  if (!read.present) logger.info('no pinned-key directory; signatures cannot verify', { dir });
  for (const r of read.refused) logger.warn('refusing a key file', { file: r.file, reason: r.reason });
  const keys = read.keys;
  return { keys: () => keys };
}
