// Pinned public keys (PEM) for T2 signatures, from a directory such as
// policies/keys/ or a mounted Secret. No certificate chains: a key is trusted
// because an operator put it there.
import { createPublicKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { KeyStore, Logger, PinnedKey } from '../core/ports.js';

export async function loadPinnedKeys(dir: string, logger: Logger): Promise<KeyStore> {
  const keys: PinnedKey[] = [];
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir)).filter((n) => /\.pem$/i.test(n)).sort();
  } catch {
    logger.info('no pinned-key directory; signatures cannot verify', { dir });
  }
  for (const name of names) {
    try {
      const pem = await fs.readFile(path.join(dir, name), 'utf8');
      keys.push({ id: name.replace(/\.pub\.pem$|\.pem$/i, ''), key: createPublicKey(pem) });
    } catch (e) {
      logger.warn('skipping unreadable public key', { file: name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { keys: () => keys };
}
