// Running PostgreSQL's binaries from tests and benchmarks. As root (CI) they
// run as the postgres user: the server refuses to run as root.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function pg(bin: string, args: string[], opts: { cwd?: string; binDir?: string } = {}): string {
  const cmd = join(opts.binDir ?? PG_BIN, bin);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Where a test cluster listens (its socket directory and port), and whose binaries talk to it. */
export interface PgAt {
  sock: string;
  port: number;
  binDir?: string;
}

/** The connection arguments psql, pg_basebackup and pgbench take for the cluster at `at`. */
export function connArgs(at: PgAt): string[] {
  return ['-h', at.sock, '-p', String(at.port), '-U', 'postgres'];
}

/** One statement through psql (-qAt, stopping at the first error); what it printed. */
export function psql(at: PgAt, query: string): string {
  const args = [...connArgs(at), '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAtc', query];
  return pg('psql', args, at.binDir ? { binDir: at.binDir } : {});
}
