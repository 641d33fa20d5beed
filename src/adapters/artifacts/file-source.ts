// file:// artifacts, confined to the artifact root (a mounted PVC): the real
// path must stay under the root after every symlink is resolved.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GateError } from '../../core/errors.js';
import type { BackupDirArtifact, ByteSource } from '../../core/ports/artifacts.js';
import { readBackupDir } from './backup-dir.js';

// One answer (same code, same words) for "does not exist" and "outside the
// root": two answers would let a caller probe which files exist outside it.
function notUnderRoot(url: URL): GateError {
  return new GateError(
    'artifact-refused',
    `artifact ${url.pathname.slice(0, 200)} is not a file under the artifact root (it does not exist there, or it resolves outside it)`,
  );
}

// The server's setting, not the caller's request: a 500 naming it, not a 502.
function noRoot(): GateError {
  return new GateError(
    'server-not-configured',
    'this server reads no file:// artifacts: GATE_ARTIFACT_ROOT is not set (the chart: artifacts.*)',
  );
}

export async function openFileArtifact(
  url: URL,
  root: string | undefined,
  maxBytes: number,
): Promise<ByteSource> {
  if (!root) throw noRoot();
  const realRoot = await fs.realpath(root).catch((e: unknown) => {
    throw new GateError('server-not-configured', 'GATE_ARTIFACT_ROOT cannot be resolved', undefined, {
      cause: e,
    });
  });
  const within = (p: string): string | undefined => {
    const rel = path.relative(realRoot, p);
    return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
  };
  let real: string;
  try {
    real = await fs.realpath(fileURLToPath(url));
  } catch {
    throw notUnderRoot(url);
  }
  const rel = within(real);
  if (rel === undefined) throw notUnderRoot(url);
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new GateError('artifact-refused', `artifact ${rel} is not a regular file`);
  if (stat.size > maxBytes)
    throw new GateError(
      'payload-too-large',
      `artifact ${rel} is ${stat.size} bytes; the limit is ${maxBytes}`,
    );
  return { stream: createReadStream(real, { highWaterMark: 1024 * 1024 }), size: stat.size, name: rel };
}

/** A backup directory under the root; everything in it must resolve under the root too. */
export async function openBackupDirArtifact(url: URL, root: string | undefined): Promise<BackupDirArtifact> {
  if (!root) throw noRoot();
  const realRoot = await fs.realpath(root).catch(() => {
    throw new GateError('server-not-configured', 'GATE_ARTIFACT_ROOT cannot be resolved');
  });
  let real: string;
  try {
    real = await fs.realpath(fileURLToPath(url));
  } catch {
    throw notUnderRoot(url);
  }
  const rel = path.relative(realRoot, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw notUnderRoot(url);
  if (!(await fs.stat(real)).isDirectory())
    throw new GateError('artifact-refused', `backup_url ${rel} is not a directory`);
  const dir = await readBackupDir(real);
  // A plain-format backup's tablespace links point elsewhere: they must stay under the root as well.
  if (dir.format === 'plain') {
    for (const link of await fs.readdir(path.join(real, 'pg_tblspc')).catch(() => [] as string[])) {
      const target = await fs.realpath(path.join(real, 'pg_tblspc', link)).catch(() => '');
      const r = path.relative(realRoot, target);
      if (target === '' || r.startsWith('..') || path.isAbsolute(r))
        throw new GateError(
          'artifact-refused',
          `tablespace pg_tblspc/${link.slice(0, 20)} of backup ${rel} resolves outside the artifact root`,
        );
    }
  }
  return { manifestBytes: dir.manifestBytes, files: dir.files };
}
