// file:// artifacts, confined to the artifact root (a mounted PVC): the real
// path must stay under the root after every symlink is resolved.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GateError } from '../../core/errors.js';
import type { ByteSource } from '../../core/ports/artifacts.js';

// One answer (same code, same words) for "does not exist" and "outside the
// root": two answers would let a caller probe which files exist outside it.
function notUnderRoot(url: URL): GateError {
  return new GateError('artifact-unavailable', `artifact ${url.pathname.slice(0, 200)} is not a file under the artifact root (it does not exist there, or it resolves outside it)`);
}

export async function openFileArtifact(url: URL, root: string | undefined, maxBytes: number): Promise<ByteSource> {
  if (!root) throw new GateError('artifact-unavailable', 'file:// artifacts need GATE_ARTIFACT_ROOT');
  const realRoot = await fs.realpath(root).catch(() => { throw new GateError('artifact-unavailable', 'GATE_ARTIFACT_ROOT cannot be resolved'); });
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
  if (!stat.isFile()) throw new GateError('artifact-unavailable', `artifact ${rel} is not a regular file`);
  if (stat.size > maxBytes) throw new GateError('payload-too-large', `artifact ${rel} is ${stat.size} bytes; the limit is ${maxBytes}`);
  return { stream: createReadStream(real, { highWaterMark: 1024 * 1024 }), size: stat.size, name: rel };
}
