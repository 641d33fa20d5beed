// The pinned public keys signatures are verified against
// (adapters/pinned-keys.ts loads them; services/policy/key-store.ts holds the set in force).
import type { KeyObject } from 'node:crypto';

/** A pinned public key (PEM on disk or from a Secret). */
export interface PinnedKey {
  id: string;
  key: KeyObject;
}

export interface KeyStore {
  keys(): readonly PinnedKey[];
  /** The key-set digest: every cached answer is keyed by it beside the policy digest. */
  digest(): string;
}
