// Step 3: the replication manifest's signature, through the one verifier
// shared with T1 (src/core/signing/verify.ts), with the replication type.
import type { PinnedKey } from '../ports/keys.js';
import { REPLICATION_MANIFEST_PAYLOAD_TYPE } from '../signing/payload-types.js';
import { verifyManifestSignature, type SignatureInput, type SignatureOutcome } from '../signing/verify.js';

export type { SignatureFacts, SignatureInput, SignatureOutcome } from '../signing/verify.js';

export function verifySignature(
  manifest: Uint8Array,
  sig: SignatureInput | undefined,
  keys: readonly PinnedKey[],
  maxBytes: number,
): SignatureOutcome {
  return verifyManifestSignature(manifest, sig, keys, {
    maxBytes,
    payloadType: REPLICATION_MANIFEST_PAYLOAD_TYPE,
    document: 'replication manifest',
  });
}
