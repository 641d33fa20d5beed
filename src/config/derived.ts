// Settings shaped for the core and the services, derived from the one config.
// (Adapter settings are shaped where the adapters are built: src/wiring/.)
import { DEFAULT_REPLICATION_LIMITS, type ReplicationLimits } from '../core/replication/pipeline.js';
import type { GateConfig } from './schema.js';

export function replicationLimits(c: GateConfig): ReplicationLimits {
  return {
    ...DEFAULT_REPLICATION_LIMITS,
    maxManifestBytes: c.maxConfigBytes,
    maxCompressedBytes: c.maxSnapshotBytes,
    maxUncompressedBytes: c.maxUncompressedBytes,
  };
}
