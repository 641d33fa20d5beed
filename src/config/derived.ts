// Settings shaped for the pieces that use them, derived from the one config.
import { DEFAULT_REPLICATION_LIMITS, type ReplicationLimits } from '../core/replication/pipeline.js';
import type { ArtifactSettings } from '../adapters/artifacts/artifact-source.js';
import type { GateConfig } from './schema.js';

export function replicationLimits(c: GateConfig): ReplicationLimits {
  return {
    ...DEFAULT_REPLICATION_LIMITS,
    maxManifestBytes: c.maxConfigBytes,
    maxCompressedBytes: c.maxSnapshotBytes,
    maxUncompressedBytes: c.maxUncompressedBytes,
  };
}

export function artifactSettings(c: GateConfig): ArtifactSettings {
  return {
    ...(c.artifactRoot ? { root: c.artifactRoot } : {}),
    hosts: c.artifactHosts,
    ...(c.artifactCaFile ? { caFile: c.artifactCaFile } : {}),
    maxBytes: c.maxSnapshotBytes,
    timeoutMs: c.artifactTimeoutSeconds * 1000,
  };
}
