#!/usr/bin/env node
// The `migration-gate` command (package.json "bin"), so that `npx
// migration-gate` works right after `npm ci`, before any build. It runs the
// compiled dist/cli.js when that is at least as new as every file under src/
// (or when there is no src/, as in an installed package), and otherwise the
// TypeScript source through tsx (a devDependency, present in a checkout): a
// stale build is never run in place of the source it was built from.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist', 'cli.js');
const src = path.join(root, 'src');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(path.join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

const hasSrc = existsSync(path.join(src, 'cli.ts'));
const distFresh = existsSync(dist) && (!hasSrc || statSync(dist).mtimeMs >= newestMtime(src));

if (distFresh) {
  await import(pathToFileURL(dist).href);
} else if (hasSrc) {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'migration-gate: dist/cli.js is missing or older than src/, and tsx is not installed: run `npm ci` (dev dependencies) or `npm run build`\n',
    );
    process.exit(2);
  }
  register();
  await import(pathToFileURL(path.join(src, 'cli.ts')).href);
} else {
  process.stderr.write(`migration-gate: ${dist} is missing: run \`npm run build\`\n`);
  process.exit(2);
}
