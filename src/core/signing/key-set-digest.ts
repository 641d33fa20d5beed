// The digest of a trusted key set: what every cached answer is keyed by
// beside the policy-set digest, so a key change never serves an old verdict.
import { createHash } from 'node:crypto';
import type { PinnedKey } from '../ports/keys.js';

export function keySetDigest(keys: readonly PinnedKey[]): string {
  const lines = keys
    .map((k) => `${k.id}\n${k.key.export({ type: 'spki', format: 'der' }).toString('hex')}\n`)
    .sort();
  const h = createHash('sha256').update(`keys ${lines.length}\n`);
  for (const l of lines) h.update(l);
  return `sha256:${h.digest('hex')}`;
}
