// The ArtifactSource port: file:// under the artifact root, https:// on
// allow-listed hosts; any other scheme is refused.
import { GateError } from '../../core/errors.js';
import type { ArtifactSource } from '../../core/ports.js';
import { openFileArtifact } from './file-source.js';
import { openHttpsArtifact } from './https-source.js';

export interface ArtifactSettings {
  root?: string;
  hosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  ca?: string | Buffer;
}

export function createArtifactSource(s: ArtifactSettings): ArtifactSource {
  return {
    async open(raw, signal) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new GateError('bad-request', `artifact URL is not a URL: ${raw.slice(0, 100)}`);
      }
      if (url.protocol === 'file:') return openFileArtifact(url, s.root, s.maxBytes);
      if (url.protocol === 'https:') return openHttpsArtifact(url, { hosts: s.hosts, maxBytes: s.maxBytes, timeoutMs: s.timeoutMs, ...(s.ca ? { ca: s.ca } : {}) }, signal);
      throw new GateError('bad-request', `artifact URL scheme ${url.protocol} is not allowed; use file:// or https://`);
    },
  };
}
