// Pinned public keys (PEM) for manifest signatures, from a directory the
// operator fills or a mounted Secret. No certificate chains: a key is trusted
// because an operator put it there. A file that is not an accepted public key
// (a private key, RSA, P-384, secp256k1, ...) is refused naming the file and
// the algorithm, never silently widened into the trusted set.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/ports/runtime.js';
import type { PinnedKey } from '../core/ports/keys.js';
import { PinnedKeyStore, type KeyDirRead, type KeyFileRefusal } from '../services/policy/key-store.js';
import { classifyKey } from '../core/signing/key-policy.js';

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
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem))
    return 'holds a PRIVATE key; put only public keys in the key directory';
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return 'is not a PEM public key';
  }
  const verdict = classifyKey(key);
  return verdict.ok ? key : `refused: ${verdict.reason}`;
}

export async function loadPinnedKeys(dir: string, logger: Logger): Promise<PinnedKeyStore> {
  const store = new PinnedKeyStore();
  const read = await readKeyDir(dir);
  if (!read.present) logger.info('no pinned-key directory; signatures cannot verify', { dir });
  for (const r of read.refused) logger.warn('refusing a key file', { file: r.file, reason: r.reason });
  store.apply(read);
  return store;
}

/**
 * Re-reads the key directory when it changes (fs.watch, debounced) and every
 * pollMs as well (watch events are lost on some mounts; a Secret update is
 * an atomic symlink swap): a removed key stops verifying within seconds.
 */
export function watchKeyDir(
  dir: string,
  store: PinnedKeyStore,
  onResult: (r: 'changed' | 'kept') => void,
  pollMs = 2000,
): { close(): void } {
  let running = false;
  let again = false;
  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const r = store.apply(await readKeyDir(dir));
        if (r !== 'unchanged') onResult(r);
      } while (again);
    } finally {
      running = false;
    }
  };
  const tick = (): void => {
    reload().catch(() => undefined);
  };
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(tick, 100);
    });
    watcher.on('error', () => undefined);
  } catch {
    // No directory (yet): the poll notices when it appears.
  }
  const poll = setInterval(tick, pollMs);
  poll.unref();
  return {
    close: () => {
      clearInterval(poll);
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
