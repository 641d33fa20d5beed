// Reads policies/*.yaml and watches the directory; each change reloads the
// whole set (all-or-nothing, see PolicyStore).
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { PolicyFile } from '../services/policy/policy-store.js';

const MAX_POLICY_FILE_BYTES = 256 * 1024;

export async function readPolicyDir(dir: string): Promise<PolicyFile[]> {
  const names = (await fs.readdir(dir)).filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.')).sort();
  const files: PolicyFile[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    const stat = await fs.stat(full);
    if (!stat.isFile()) continue;
    if (stat.size > MAX_POLICY_FILE_BYTES) {
      files.push({
        name,
        text: `# ${name} is ${stat.size} bytes, over the ${MAX_POLICY_FILE_BYTES}-byte limit\n!!too-large`,
      });
      continue;
    }
    files.push({ name, text: await fs.readFile(full, 'utf8') });
  }
  return files;
}

/** Calls `onChange` (debounced) when anything in the directory changes. */
export function watchPolicyDir(dir: string, onChange: () => void, debounceMs = 200): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  const w = watch(dir, { persistent: false }, () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  w.on('error', () => {});
  return w;
}
