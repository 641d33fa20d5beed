// Holds the pinned keys in force, reloaded like the policy set: a directory
// that reads cleanly replaces the set at once (a removed key stops verifying
// on the next read); a directory with a broken or refused file keeps the last
// good set and says why (alert). The first read has no last good set: it
// keeps the files that are accepted and reports the others.
import type { KeyStore, PinnedKey } from '../../core/ports/keys.js';
import { keySetDigest } from '../../core/signing/key-set-digest.js';

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

export interface KeyStoreStatus {
  ok: boolean;
  digest: string;
  count: number;
  errors: string[];
}

export class PinnedKeyStore implements KeyStore {
  #keys: readonly PinnedKey[] = [];
  #digest = keySetDigest([]);
  #errors: string[] = [];
  #loaded = false;
  #lastRead = '';

  /** 'unchanged' when the directory reads as last time (a poll with nothing new). */
  apply(read: KeyDirRead): 'changed' | 'kept' | 'unchanged' {
    const errors = read.refused.map((r) => `${r.file}: ${r.reason}`);
    const readDigest = keySetDigest(read.keys);
    const fingerprint = `${readDigest}\n${errors.join('\n')}`;
    if (this.#loaded && fingerprint === this.#lastRead) return 'unchanged';
    this.#lastRead = fingerprint;
    this.#errors = errors;
    if (errors.length > 0 && this.#loaded) return 'kept';
    this.#loaded = true;
    this.#keys = Object.freeze([...read.keys]);
    this.#digest = readDigest;
    return 'changed';
  }

  keys(): readonly PinnedKey[] {
    return this.#keys;
  }

  digest(): string {
    return this.#digest;
  }

  status(): KeyStoreStatus {
    return {
      ok: this.#errors.length === 0,
      digest: this.#digest,
      count: this.#keys.length,
      errors: [...this.#errors],
    };
  }
}
