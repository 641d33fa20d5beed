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

/**
 * initdb and start a throw-away cluster in `root` (data/, server.log; the
 * socket directory `sock` must exist), owned by postgres when run as root:
 * listening on 127.0.0.1 at a free port, replica WAL, no fsync, plus
 * `settings` (`name=value`). `walSegMiB` 1 makes small segments for WAL tests.
 */
export async function startScratchCluster(c: {
  root: string;
  data: string;
  sock: string;
  settings: readonly string[];
  walSegMiB?: number;
  binDir?: string;
}): Promise<PgAt> {
  const run = (bin: string, args: string[]): string => pg(bin, args, c.binDir ? { binDir: c.binDir } : {});
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', c.root]);
  const seg = c.walSegMiB ? [`--wal-segsize=${c.walSegMiB}`] : [];
  run('initdb', ['-D', c.data, ...seg, '-A', 'trust', '-U', 'postgres', '-N', '--no-instructions']);
  const port = await freePort();
  const opts = [
    `-c port=${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${c.sock}`,
    '-c wal_level=replica',
    '-c fsync=off',
    ...c.settings.map((s) => `-c ${s}`),
  ].join(' ');
  run('pg_ctl', ['-D', c.data, '-o', opts, '-l', join(c.root, 'server.log'), '-w', 'start']);
  return { sock: c.sock, port, ...(c.binDir ? { binDir: c.binDir } : {}) };
}
