// The artifact source (file:// and https:// artifacts of replication requests)
// built from the gate's settings.
import type { GateConfig } from '../config/schema.js';
import type { ArtifactSource } from '../core/ports/artifacts.js';
import { createArtifactSource, type ArtifactSettings } from '../adapters/artifacts/artifact-source.js';

export function artifactsFromConfig(c: GateConfig): ArtifactSource {
  return createArtifactSource(artifactSettings(c));
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
