// file:// artifacts, confined to the artifact root (a mounted PVC): the real
// path must stay under the root after every symlink is resolved.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GateError } from '../../core/errors.js';
import type { ByteSource } from '../../core/ports.js';

export async function openFileArtifact(url: URL, root: string | undefined, maxBytes: number): Promise<ByteSource> {
  if (!root) throw new GateError('artifact-unavailable', 'file:// artifacts need GATE_ARTIFACT_ROOT');
  let real: string;
  let realRoot: string;
  try {
    realRoot = await fs.realpath(root);
    real = await fs.realpath(fileURLToPath(url));
  } catch {
    throw new GateError('artifact-unavailable', `artifact ${url.pathname.slice(0, 200)} does not exist under the artifact root`);
  }
  const rel = path.relative(realRoot, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new GateError('forbidden', `artifact ${url.pathname.slice(0, 200)} is outside the artifact root`);
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new GateError('artifact-unavailable', `artifact ${rel} is not a regular file`);
  if (stat.size > maxBytes) throw new GateError('payload-too-large', `artifact ${rel} is ${stat.size} bytes; the limit is ${maxBytes}`);
  return { stream: createReadStream(real, { highWaterMark: 1024 * 1024 }), size: stat.size, name: rel };
}
