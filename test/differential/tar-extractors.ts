// Runs the four real tar readers over a batch of archives: GNU tar, bsdtar
// (libarchive) and Python tarfile (default and fully_trusted filters) extract
// into scratch trees (extract.py), Go archive/tar lists (go-tar). One process
// per extractor for the whole batch.
import { execFileSync, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = new URL('.', import.meta.url).pathname;
const goDir = join(here, 'extractors', 'go-tar');
const pyScript = join(here, 'extractors', 'python', 'extract.py');

export const EXTRACTING_MODES = ['gnutar', 'bsdtar', 'tarfile-default', 'tarfile-fully_trusted'] as const;
export type ExtractingMode = (typeof EXTRACTING_MODES)[number];

export interface Created {
  path: string;
  type: string;
  size: number;
}
export interface ExtractResult {
  archive: string;
  created: Created[];
  outside: string[];
  escapes: string[];
  error: string | null;
}
export interface GoEntry {
  name: string;
  type: string;
  size: number;
  linkname: string;
  target: string;
  escapes: boolean;
}
export interface GoResult {
  archive: string;
  entries: GoEntry[];
  error?: string;
}

function need(cmd: string, args: string[], install: string): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    throw new Error(`${cmd} is missing; install it: ${install}`);
  }
}

/** Fails (never skips) with the install command when a reader is missing. */
export function requireExtractors(): string {
  need('tar', ['--version'], 'apt-get install -y tar');
  need('bsdtar', ['--version'], 'apt-get install -y libarchive-tools');
  need(
    'python3',
    ['-c', 'import tarfile; tarfile.data_filter'],
    'apt-get install -y python3 (3.11.4 or later: tarfile extraction filters)',
  );
  need('go', ['version'], 'install Go (https://go.dev/dl/) and put it on PATH');
  return goBinary();
}

/** Built once per source version, cached under ~/.cache/migration-gate-tools/. */
export function goBinary(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(goDir).sort()) h.update(f).update(readFileSync(join(goDir, f)));
  const dir = join(homedir(), '.cache', 'migration-gate-tools', 'go-tar');
  const bin = join(dir, `go-tar-${h.digest('hex').slice(0, 16)}`);
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('go', ['build', '-o', bin, '.'], {
      cwd: goDir,
      stdio: 'inherit',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    });
  }
  return bin;
}

function lines<T>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

const BIG = { maxBuffer: 512 * 1024 * 1024 };

export async function extractAll(
  mode: ExtractingMode,
  scratch: string,
  archives: string[],
): Promise<ExtractResult[]> {
  const { stdout } = await run('python3', [pyScript, mode, join(scratch, mode), ...archives], {
    ...BIG,
    cwd: scratch,
  });
  const out = lines<ExtractResult>(stdout);
  if (out.length !== archives.length)
    throw new Error(`${mode}: ${out.length} results for ${archives.length} archives`);
  return out;
}

export async function goListAll(bin: string, archives: string[]): Promise<GoResult[]> {
  const { stdout } = await run(bin, archives, BIG);
  return lines<GoResult>(stdout);
}
