// npm run bench -- t2-native: a real pg_basebackup (PostgreSQL 15, pgbench
// -s $BENCH_T2_NATIVE_SCALE) in tar, tar.gz, tar.lz4 and tar.zst, each
// verified by the gate (a child process: its own peak RSS) beside the
// decompressor alone (`gzip -dc`, `lz4 -dc`, `zstd -dc` > /dev/null of the
// same base tar) and pg_verifybackup 18 -n, all in one run. The multi-tar
// figure compares 1 and 2 tars decoded at once.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pg } from '../support/pg/pg-exec.js';
import { makeNativeBackups, removeNativeBackups, type NativeVariant } from '../support/pg/native-backups.js';
import { PG18_BIN } from '../support/pg/pg18.js';

const VERIFY = `
import { readFileSync } from 'node:fs';
import { verifyReplication, DEFAULT_REPLICATION_LIMITS } from './src/core/replication/pipeline.ts';
import { replicationRequestFromFiles, backupInput } from './src/cli/replication-files.ts';
import { readBackupDir } from './src/adapters/artifacts/backup-dir.ts';
const [manifest, dir, parallel] = process.argv.slice(2);
const req = await replicationRequestFromFiles({ manifest, backup: dir });
req.backup = backupInput(await readBackupDir(dir), Number(parallel));
const t = performance.now();
const ev = await verifyReplication({ ...req, keys: [], limits: DEFAULT_REPLICATION_LIMITS, policies: () => [] });
const secs = (performance.now() - t) / 1000;
const blocks = ev.findings.filter((f) => f.action === 'block').map((f) => f.rule);
console.log(JSON.stringify({ secs, rss: process.resourceUsage().maxRSS * 1024, blocks }));
`;

function seconds(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

export async function benchT2Native(log: (l: string) => void): Promise<void> {
  const scale = Number(process.env.BENCH_T2_NATIVE_SCALE ?? 10);
  const variants: NativeVariant[] = ['tar', 'tar-gz', 'tar-lz4', 'tar-zst'];
  const b = await makeNativeBackups(variants, (_sql, port, sock) => {
    pg('pgbench', [
      '-h',
      sock,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-i',
      '-s',
      String(scale),
      '-q',
      'postgres',
    ]);
  });
  try {
    const script = join(process.cwd(), '.bench-verify.ts');
    writeFileSync(script, VERIFY);
    for (const v of variants) {
      const dir = b.dirs[v];
      const manifest = join(b.root, `${v}.yaml`);
      const hash = createHash('sha256')
        .update(readFileSync(join(dir, 'backup_manifest')))
        .digest('hex');
      writeFileSync(
        manifest,
        `source_db: a\ntarget_db: b\nexpected_backup_manifest_hash: sha256:${hash}\nsync_mode: async\nenv: staging\n`,
      );
      const base = readdirSync(dir).find((n) => n.startsWith('base.tar'))!;
      const size = statSync(join(dir, base)).size;
      const tool = base.endsWith('.gz')
        ? 'gzip'
        : base.endsWith('.lz4')
          ? 'lz4'
          : base.endsWith('.zst')
            ? 'zstd'
            : 'cat';
      const decompress = seconds(() =>
        execFileSync('sh', ['-c', `${tool}${tool === 'cat' ? '' : ' -dc'} ${join(dir, base)} > /dev/null`]),
      );
      const run = (parallel: number): { secs: number; rss: number; blocks: string[] } => {
        const r = spawnSync(process.execPath, ['--import', 'tsx', script, manifest, dir, String(parallel)], {
          encoding: 'utf8',
        });
        return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
          secs: number;
          rss: number;
          blocks: string[];
        };
      };
      const one = run(1);
      const two = run(2);
      // Only base.tar: what the largest tar alone takes.
      const pgv =
        v === 'tar' || v === 'tar-gz'
          ? seconds(() => spawnSync(join(PG18_BIN, 'pg_verifybackup'), ['-n', dir]))
          : undefined;
      log(
        `  ${v}: ${base} ${(size / 1e6).toFixed(1)} MB; ${tool} -dc: ${decompress.toFixed(3)} s (${(size / 1e6 / decompress).toFixed(0)} MB/s)`,
      );
      log(
        `    gate, 1 tar at a time: ${one.secs.toFixed(3)} s, peak RSS ${(one.rss / 1e6).toFixed(0)} MB; 2 at once: ${two.secs.toFixed(3)} s, peak RSS ${(two.rss / 1e6).toFixed(0)} MB; blocks: ${two.blocks.join(', ') || 'none'}`,
      );
      log(
        `    ratio ${tool} -dc time / gate time (base.tar only vs whole backup): ${(decompress / two.secs).toFixed(2)}; parallel speed-up ${(one.secs / two.secs).toFixed(2)}x${pgv !== undefined ? `; pg_verifybackup 18 -n: ${pgv.toFixed(3)} s (gate/pg time ${(two.secs / pgv).toFixed(2)})` : '; pg_verifybackup 18: no lz4/zstd in the wheel build'}`,
      );
    }
    execFileSync('rm', ['-f', script]);
  } finally {
    removeNativeBackups(b);
  }
}
