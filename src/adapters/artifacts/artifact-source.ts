// The ArtifactSource port: file:// under the artifact root, https:// on
// allow-listed hosts; any other scheme is refused.
import { readFile } from 'node:fs/promises';
import { GateError } from '../../core/errors.js';
import type { ArtifactSource } from '../../core/ports/artifacts.js';
import { openFileArtifact } from './file-source.js';
import { openHttpsArtifact } from './https-source.js';
import { openBackupDirArtifact } from './file-source.js';

export interface ArtifactSettings {
  root?: string;
  hosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  /** Extra CA (PEM) to trust for https artifact hosts, e.g. an internal store. */
  caFile?: string;
}

export function createArtifactSource(s: ArtifactSettings): ArtifactSource {
  let ca: Promise<Buffer | undefined> | undefined;
  const loadCa = (): Promise<Buffer | undefined> =>
    (ca ??= s.caFile
      ? readFile(s.caFile).catch((e: unknown) => {
          throw new GateError(
            'artifact-unavailable',
            `cannot read GATE_ARTIFACT_CA_FILE ${s.caFile}`,
            undefined,
            { cause: e },
          );
        })
      : Promise.resolve(undefined));
  return {
    async open(raw, signal) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new GateError('bad-request', `artifact URL is not a URL: ${raw.slice(0, 100)}`);
      }
      if (url.protocol === 'file:') return openFileArtifact(url, s.root, s.maxBytes);
      if (url.protocol === 'https:') {
        const extraCa = await loadCa();
        return openHttpsArtifact(
          url,
          {
            hosts: s.hosts,
            maxBytes: s.maxBytes,
            timeoutMs: s.timeoutMs,
            ...(extraCa ? { ca: extraCa } : {}),
          },
          signal,
        );
      }
      throw new GateError(
        'bad-request',
        `artifact URL scheme ${url.protocol} is not allowed; use file:// or https://`,
      );
    },
    async openBackupDir(raw) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new GateError('bad-request', `backup URL is not a URL: ${raw.slice(0, 100)}`);
      }
      // A directory cannot be listed over https: its tars would have to be named one by one.
      if (url.protocol !== 'file:')
        throw new GateError(
          'bad-request',
          `backup_url must be a file:// directory under the artifact root (got ${url.protocol})`,
        );
      return openBackupDirArtifact(url, s.root);
    },
  };
}
