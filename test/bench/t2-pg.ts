// T2 benchmark, real PostgreSQL: a cluster with pgbench data (bigger than the
// test fixture of test/support/pg/make-backup.ts, whose data is fixed), two
// plain pg_basebackups of it (SHA256 and CRC32C manifests), each also tarred
// and gzipped as an operator would ship it. pg_verifybackup checks the
// directory; verifyReplication the tar.gz of the same backup.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgAvailable, tarGz } from '../support/pg/make-backup.js';
import { PG_BIN, pg, startScratchCluster } from '../support/pg/pg-exec.js';

export { pgAvailable };

export interface BenchBackup {
  root: string;
  /** Per manifest checksum algorithm: the plain backup dir, its tar.gz and the replication manifest. */
  backups: {
    checksums: 'SHA256' | 'CRC32C';
    dir: string;
    snapshotPath: string;
    manifestPath: string;
    dirBytes: number;
    compressedBytes: number;
  }[];
}

async function sha256Stream(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: 1024 * 1024 })) h.update(c as Buffer);
  return h.digest('hex');
}

function duBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

export async function makeBenchBackup(scale: number): Promise<BenchBackup> {
  const root = mkdtempSync(join(tmpdir(), 'mg-t2-pg-'));
  const [data, sock] = ['data', 'sock'].map((d) => join(root, d)) as [string, string];
  mkdirSync(sock);
  try {
    const { port } = await startScratchCluster({ root, data, sock, settings: ['max_wal_size=4GB'] });
    const backups: BenchBackup['backups'] = [];
    try {
      pg('pgbench', [
        '-h',
        sock,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-i',
        '-q',
        '-s',
        String(scale),
        'postgres',
      ]);
      for (const checksums of ['SHA256', 'CRC32C'] as const) {
        const dir = join(root, `backup-${checksums.toLowerCase()}`);
        pg('pg_basebackup', [
          '-h',
          sock,
          '-p',
          String(port),
          '-U',
          'postgres',
          '-D',
          dir,
          '-Fp',
          // -X stream: the WAL a restore needs is inside (without it the gate blocks: backup-wal-missing).
          '-X',
          'stream',
          '-c',
          'fast',
          `--manifest-checksums=${checksums}`,
        ]);
        const snapshotPath = join(root, `snapshot-${checksums.toLowerCase()}.tar.gz`);
        tarGz(dir, snapshotPath);
        const manifestPath = join(root, `replication_manifest-${checksums.toLowerCase()}.yaml`);
        const yaml = `source_db: pgbench-old\ntarget_db: pgbench-new\nexpected_snapshot_hash: 'sha256:${await sha256Stream(snapshotPath)}'\nsync_mode: async\nenv: staging\n`;
        writeFileSync(manifestPath, yaml);
        backups.push({
          checksums,
          dir,
          snapshotPath,
          manifestPath,
          dirBytes: duBytes(dir),
          compressedBytes: statSync(snapshotPath).size,
        });
      }
    } finally {
      pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    }
    rmSync(data, { recursive: true, force: true });
    return { root, backups };
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

/** Wall time of `pg_verifybackup -n <dir>` (-n: no WAL parsing; the gate checks pg_wal/'s page headers, which costs it a little more). */
export function timePgVerifyBackup(dir: string): number {
  const t0 = performance.now();
  execFileSync(join(PG_BIN, 'pg_verifybackup'), ['-n', '-q', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return (performance.now() - t0) / 1000;
}
