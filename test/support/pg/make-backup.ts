// Test helper: a REAL PostgreSQL backup. initdb (1 MiB WAL segments) →
// postgres with WAL archiving → a little data → pg_basebackup -Fp with a
// SHA256 backup_manifest and -X none (the WAL is shipped separately, from the
// archive, which is exactly the T2 situation) → stop → tar.gz. Test code: it
// may use the filesystem and child processes; the core never does.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { asRoot, PG_BIN, pg, psql, connArgs, startScratchCluster } from './pg-exec.js';

export { PG_BIN } from './pg-exec.js';

export interface RealBackup {
  root: string;
  /** The plain-format backup directory (what pg_verifybackup checks). */
  backupDir: string;
  /** A second backup of the same cluster with CRC32C checksums (pg_basebackup's default). */
  crcBackupDir: string;
  /** The WAL archive (segments + the .backup history file). */
  walDir: string;
  snapshotPath: string;
  manifestYaml: string;
  walFiles: { name: string; path: string; sha256: string; size: number }[];
}

export function pgAvailable(): boolean {
  try {
    execFileSync(join(PG_BIN, 'pg_ctl'), ['--version'], { stdio: 'ignore' });
    if (asRoot) execFileSync('id', ['postgres'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function tarGz(dir: string, out: string): void {
  // GNU tar, names "./…", as an operator would produce it.
  // gzip -1: these archives are made per test case; speed matters more than size.
  execFileSync('tar', ['-C', dir, '-I', 'gzip -1', '-cf', out, '.'], { stdio: 'ignore' });
}

export async function makeBackup(): Promise<RealBackup> {
  const root = mkdtempSync(join(tmpdir(), 'mg-pg-'));
  const [data, walDir, backupDir, crcBackupDir, sock] = [
    'data',
    'wal-archive',
    'backup',
    'backup-crc32c',
    'sock',
  ].map((d) => join(root, d)) as [string, string, string, string, string];
  for (const d of [walDir, sock]) mkdirSync(d);
  const { port } = await startScratchCluster({
    root,
    data,
    sock,
    settings: ['archive_mode=on', `archive_command='cp %p ${walDir}/%f'`],
    walSegMiB: 1,
  });
  try {
    const sql = (q: string): string => psql({ sock, port }, q);
    sql(
      'CREATE TABLE orders (id int primary key, item text); INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 2000) g;',
    );
    // -X none: pg_basebackup waits until the backup's last WAL segment is archived.
    pg('pg_basebackup', [
      ...connArgs({ sock, port }),
      '-D',
      backupDir,
      '-Fp',
      '-X',
      'none',
      '-c',
      'fast',
      '--manifest-checksums=SHA256',
    ]);
    // A second one with pg_basebackup's default CRC32C checksums, to pin our CRC-32C byte order to PostgreSQL's.
    pg('pg_basebackup', [...connArgs({ sock, port }), '-D', crcBackupDir, '-Fp', '-X', 'none', '-c', 'fast']);
  } finally {
    pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  }
  const snapshotPath = join(root, 'snapshot.tar.gz');
  tarGz(backupDir, snapshotPath);
  const walFiles = readdirSync(walDir)
    .sort()
    .map((name) => {
      const path = join(walDir, name);
      const bytes = readFileSync(path);
      return { name, path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    });
  return {
    root,
    backupDir,
    crcBackupDir,
    walDir,
    snapshotPath,
    walFiles,
    manifestYaml: replicationManifest(sha256File(snapshotPath), walFiles),
  };
}

export function replicationManifest(
  snapshotSha256: string,
  walFiles: readonly { name: string; sha256: string; size: number }[],
  env = 'prod',
): string {
  const wal = walFiles
    .map((w) => `  - name: '${w.name}'\n    sha256: '${w.sha256}'\n    size: ${w.size}`)
    .join('\n');
  return `source_db: pg15-orders-old\ntarget_db: pg15-orders-new\nexpected_snapshot_hash: sha256:${snapshotSha256}\nsync_mode: sync\nenv: ${env}\nwal_files:\n${wal}\n`;
}

/** A writable copy of the backup dir to corrupt. */
export function copyBackup(b: RealBackup, name: string): string {
  const dir = join(b.root, `case-${name}`);
  cpSync(b.backupDir, dir, { recursive: true });
  return dir;
}

/** pg_verifybackup on a plain directory; WAL parsed from `walDir` when given. Returns exit status and output. */
export function pgVerifyBackup(dir: string, walDir?: string): { ok: boolean; output: string } {
  const args = walDir ? ['-w', walDir, dir] : ['-n', dir];
  try {
    return {
      ok: true,
      output: execFileSync(join(PG_BIN, 'pg_verifybackup'), args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

export function removeBackup(b: RealBackup | undefined): void {
  if (b) rmSync(b.root, { recursive: true, force: true });
}
