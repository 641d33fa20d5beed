// Test helper: REAL native pg_basebackup output, as PostgreSQL users have it.
// One PostgreSQL 15 cluster (1 MiB WAL segments, a tablespace, WAL archiving)
// → pg_basebackup in every format the gate accepts: plain, tar, tar.gz,
// tar.lz4, tar.zst, with -X stream (pg_wal.tar) and -X none (WAL from the
// archive only). Test code: it may use the filesystem and child processes.
import { mkdirSync, mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connArgs, pg, psql, startScratchCluster } from './pg-exec.js';

export interface NativeBackups {
  root: string;
  /** WAL archive of the cluster (segments, .backup and, later, .history files). */
  walArchive: string;
  /** Backup directories by variant name. */
  dirs: Record<NativeVariant, string>;
}

export const NATIVE_VARIANTS = {
  plain: ['-Fp', '-X', 'stream'],
  tar: ['-Ft', '-X', 'stream'],
  'tar-none': ['-Ft', '-X', 'none'],
  'tar-fetch': ['-Ft', '-X', 'fetch'],
  'tar-gz': ['-Ft', '-X', 'stream', '-Z', 'gzip:1'],
  'tar-lz4': ['-Ft', '-X', 'stream', '-Z', 'lz4'],
  'tar-zst': ['-Ft', '-X', 'stream', '-Z', 'zstd'],
  'tar-server-zst': ['-Ft', '-X', 'none', '--compress=server-zstd'],
} as const;
export type NativeVariant = keyof typeof NATIVE_VARIANTS;

export async function makeNativeBackups(
  variants: readonly NativeVariant[] = Object.keys(NATIVE_VARIANTS) as NativeVariant[],
  populate?: (sql: (q: string) => string, port: number, sock: string) => void | Promise<void>,
): Promise<NativeBackups> {
  const root = mkdtempSync(join(tmpdir(), 'mg-pgn-'));
  const [data, walArchive, sock, tblspc] = ['data', 'wal-archive', 'sock', 'tblspc'].map((d) =>
    join(root, d),
  ) as [string, string, string, string];
  for (const d of [walArchive, sock, tblspc]) mkdirSync(d);
  const { port } = await startScratchCluster({
    root,
    data,
    sock,
    settings: ['archive_mode=on', `archive_command='cp %p ${walArchive}/%f'`, 'max_wal_senders=4'],
    walSegMiB: 1,
  });
  const dirs = {} as Record<NativeVariant, string>;
  try {
    const sql = (q: string): string => psql({ sock, port }, q);
    sql(`CREATE TABLESPACE ts1 LOCATION '${tblspc}'`);
    sql(
      'CREATE TABLE orders (id int primary key, item text); INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 2000) g;',
    );
    sql(
      'CREATE TABLE archived (id int, note text) TABLESPACE ts1; INSERT INTO archived SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 3000) g;',
    );
    await populate?.(sql, port, sock);
    for (const v of variants) {
      const dir = join(root, `backup-${v}`);
      const args = [...NATIVE_VARIANTS[v]] as string[];
      // Plain format needs the tablespace relocated (it would collide with the live one).
      if (v === 'plain') args.push(`--tablespace-mapping=${tblspc}=${join(root, 'plain-tblspc')}`);
      pg('pg_basebackup', [...connArgs({ sock, port }), '-D', dir, '-c', 'fast', ...args]);
      dirs[v] = dir;
    }
  } finally {
    pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  }
  return { root, walArchive, dirs };
}

/** A writable copy of a backup directory to tamper with. */
export function copyDir(b: NativeBackups, from: string, name: string): string {
  const dir = join(b.root, `case-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(from, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

export function removeNativeBackups(b: NativeBackups | undefined): void {
  if (b) rmSync(b.root, { recursive: true, force: true });
}
