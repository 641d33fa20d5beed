// The variables T2 policies (CEL) see. The names are a contract with the
// policy files: change them only together with policies/*.yaml.
import type { SignatureFacts } from './signature.js';
import type { WalFacts } from './wal.js';

export interface ReplicationFacts {
  /** The manifest as parsed (defaults applied), e.g. manifest.sync_mode. */
  manifest: Record<string, unknown>;
  env: 'prod' | 'staging';
  signature: SignatureFacts;
  hash: { algorithm: string };
  wal: WalFacts;
  backup: { has_manifest: boolean; verified: boolean };
}
