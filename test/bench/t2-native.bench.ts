// npm run bench -- t2-native (also part of t2): real pg_basebackups
// (PostgreSQL 15), all figures of one run side by side, medians of
// BENCH_T2_NATIVE_REPEATS (default 3) runs taken in turn, so load on the
// machine hits both sides of every ratio alike:
//  - one backup whose data is one big tar (pgbench -s $BENCH_T2_NATIVE_SCALE
//    in the default tablespace) in tar, tar.gz, tar.lz4 and tar.zst: the gate
//    (a child process, as the CLI runs it: its own peak RSS) verifying the
//    whole backup, beside the decompressor alone on its base tar (`gzip -dc`,
//    `lz4 -dc`, `zstd -dc` > /dev/null; `cat` for the plain tar), Node's own
//    zlib decoder alone on the same file (the ceiling of the gzip/zstd
//    paths) and pg_verifybackup 18 -n (tar and tar.gz: the wheel has no
//    lz4/zstd);
//  - a multi-tar backup (half the rows in a tablespace: base.tar and
//    <oid>.tar of about the same size) verified with the tars one after
//    the other (parallel 1) and at once (parallel 2), beside the gate
//    walking its largest tar alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, statSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pg } from '../support/pg/pg-exec.js';
import { makeNativeBackups, removeNativeBackups, type NativeVariant } from '../support/pg/native-backups.js';
import { PG18_BIN } from '../support/pg/pg18.js';
import { median } from './t2-replication.bench.js';

// `verify DIR MANIFEST PARALLEL`: the whole backup, as the CLI verifies it (its tar-walk pool, started first).
// `walk DIR TAR`: one tar walked in this thread (decode, tar rules, checksums), nothing else.
const SCRIPT = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyReplication, DEFAULT_REPLICATION_LIMITS } from './src/core/replication/pipeline.ts';
import { replicationRequestFromFiles, backupInput } from './src/cli/replication-files.ts';
import { readBackupDir } from './src/adapters/artifacts/backup-dir.ts';
import { createGateTarWalks } from './src/wiring/tar-walks.ts';
import { nodeRsChecksums } from './src/adapters/checksums/node-rs-crc32c.ts';
import { walkTarHere } from './src/core/replication/tar-walk.ts';
import { tarPrefix } from './src/core/replication/backup-set.ts';
const [mode, dir, arg, parallel] = process.argv.slice(2);
const checksums = nodeRsChecksums();
let secs, blocks;
if (mode === 'verify') {
  const pool = createGateTarWalks();
  await pool.warm();
  const req = await replicationRequestFromFiles({ manifest: arg, backup: dir });
  req.backup = { ...backupInput(await readBackupDir(dir), Number(parallel)), walk: pool.run };
  const t = performance.now();
  const ev = await verifyReplication({ ...req, checksums, keys: [], limits: DEFAULT_REPLICATION_LIMITS, policies: () => [] });
  secs = (performance.now() - t) / 1000;
  blocks = ev.findings.filter((f) => f.action === 'block').map((f) => f.rule);
  await pool.close();
} else {
  const algorithms = [...new Set(JSON.parse(readFileSync(join(dir, 'backup_manifest'), 'utf8')).Files.map((f) => f['Checksum-Algorithm']).filter(Boolean))];
  const f = (await readBackupDir(dir)).files.find((x) => x.name === arg);
  const source = await f.open();
  const t = performance.now();
  const w = await walkTarHere({ name: arg, prefix: tarPrefix(arg), algorithms, limits: DEFAULT_REPLICATION_LIMITS }, source, { checksums });
  secs = (performance.now() - t) / 1000;
  blocks = w.finding ? [w.finding.rule] : [];
}
console.log(JSON.stringify({ secs, rss: process.resourceUsage().maxRSS * 1024, blocks }));
`;

// Node's zlib decoder alone, streamed from the file to nowhere, as the gate's decoders are configured.
const ZLIB_ALONE = `
import { createReadStream } from 'node:fs';
import * as zlib from 'node:zlib';
const [file] = process.argv.slice(2);
const opts = { chunkSize: 256 * 1024 };
const z = file.endsWith('.zst') ? zlib.createZstdDecompress(opts) : zlib.createGunzip(opts);
const t = performance.now();
z.on('data', () => {});
await new Promise((r, j) => { z.on('end', r); z.on('error', j); createReadStream(file, { highWaterMark: 1 << 20 }).pipe(z); });
console.log((performance.now() - t) / 1000);
`;

interface GateRun {
  secs: number;
  rss: number;
  blocks: string[];
}

function seconds(fn: () => void): number {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function pgbench(port: number, sock: string, args: string[]): void {
  pg('pgbench', ['-h', sock, '-p', String(port), '-U', 'postgres', '-i', '-q', ...args]);
}

function writeManifest(root: string, v: string, dir: string): string {
  const manifest = join(root, `${v}.yaml`);
  const hash = createHash('sha256')
    .update(readFileSync(join(dir, 'backup_manifest')))
    .digest('hex');
  writeFileSync(
    manifest,
    `source_db: a\ntarget_db: b\nexpected_backup_manifest_hash: sha256:${hash}\nsync_mode: async\nenv: staging\n`,
  );
  return manifest;
}

const toolOf = (file: string): string =>
  file.endsWith('.gz') ? 'gzip' : file.endsWith('.lz4') ? 'lz4' : file.endsWith('.zst') ? 'zstd' : 'cat';

export async function benchT2Native(log: (l: string) => void): Promise<void> {
  const scale = Number(process.env.BENCH_T2_NATIVE_SCALE ?? 10);
  const repeats = Number(process.env.BENCH_T2_NATIVE_REPEATS ?? 3);
  const script = join(process.cwd(), '.bench-t2-native.ts');
  const zlibAlone = join(process.cwd(), '.bench-t2-zlib.mjs');
  writeFileSync(script, SCRIPT);
  writeFileSync(zlibAlone, ZLIB_ALONE);
  const gate = (args: string[]): GateRun => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8' });
    const last = r.stdout.trim().split('\n').at(-1);
    if (r.status !== 0 || !last) throw new Error(`bench child failed: ${r.stderr.slice(0, 2000)}`);
    return JSON.parse(last) as GateRun;
  };
  const med = (runs: GateRun[]): GateRun => ({
    secs: median(runs.map((r) => r.secs)),
    rss: Math.max(...runs.map((r) => r.rss)),
    blocks: [...new Set(runs.flatMap((r) => r.blocks))],
  });
  const decompress = (file: string): number => {
    const tool = toolOf(file);
    return seconds(() =>
      execFileSync('sh', ['-c', `${tool}${tool === 'cat' ? '' : ' -dc'} '${file}' > /dev/null`]),
    );
  };
  log(`  load average at start: ${load()}; ${repeats} run(s) of each, medians; peak RSS = the highest`);
  try {
    await singleTar(scale, repeats, gate, med, decompress, zlibAlone, log);
    await multiTar(scale, repeats, gate, med, decompress, log);
  } finally {
    rmSync(script, { force: true });
    rmSync(zlibAlone, { force: true });
  }
  log(`  load average at end: ${load()}`);
}

type Gate = (args: string[]) => GateRun;
type Med = (runs: GateRun[]) => GateRun;

async function singleTar(
  scale: number,
  repeats: number,
  gate: Gate,
  med: Med,
  decompress: (file: string) => number,
  zlibAlone: string,
  log: (l: string) => void,
): Promise<void> {
  const variants: NativeVariant[] = ['tar', 'tar-gz', 'tar-lz4', 'tar-zst'];
  const b = await makeNativeBackups(variants, (_sql, port, sock) =>
    pgbench(port, sock, ['-s', String(scale)]),
  );
  log(
    `  one big tar (pgbench -s ${scale}; the gate verifies the whole backup, the tools decode base.tar only):`,
  );
  try {
    for (const v of variants) {
      const dir = b.dirs[v];
      const manifest = writeManifest(b.root, v, dir);
      const base = readdirSync(dir).find((n) => n.startsWith('base.tar'))!;
      const file = join(dir, base);
      const tool = toolOf(base);
      const tools: number[] = [];
      const zl: number[] = [];
      const runs: GateRun[] = [];
      const pgv: number[] = [];
      for (let i = 0; i < repeats; i++) {
        tools.push(decompress(file));
        if (tool === 'gzip' || tool === 'zstd')
          zl.push(Number(execFileSync(process.execPath, [zlibAlone, file], { encoding: 'utf8' }).trim()));
        runs.push(gate(['verify', dir, manifest, '2']));
        if (v === 'tar' || v === 'tar-gz')
          pgv.push(seconds(() => spawnSync(join(PG18_BIN, 'pg_verifybackup'), ['-n', dir])));
      }
      const g = med(runs);
      const t = median(tools);
      const mb = statSync(file).size / 1e6;
      const z = zl.length ? median(zl) : undefined;
      log(
        `    ${v}: ${base} ${mb.toFixed(1)} MB; ${tool}${tool === 'cat' ? '' : ' -dc'}: ${t.toFixed(3)} s; gate: ${g.secs.toFixed(3)} s, peak RSS ${(g.rss / 1e6).toFixed(0)} MB; blocks: ${g.blocks.join(', ') || 'none'}`,
      );
      log(
        `      ratio ${tool} time / gate time: ${(t / g.secs).toFixed(2)} (target >= 0.8 for lz4 and zstd)` +
          (z !== undefined
            ? `; Node's zlib alone on the file: ${z.toFixed(3)} s (${tool} time / zlib time ${(t / z).toFixed(2)}: the ceiling of this path; gate / zlib alone ${(g.secs / z).toFixed(2)})`
            : '') +
          (pgv.length
            ? `; pg_verifybackup 18 -n: ${median(pgv).toFixed(3)} s (gate / pg ${(g.secs / median(pgv)).toFixed(2)})`
            : '; pg_verifybackup 18: no lz4/zstd in the wheel build'),
      );
    }
  } finally {
    removeNativeBackups(b);
  }
}

async function multiTar(
  scale: number,
  repeats: number,
  gate: Gate,
  med: Med,
  decompress: (file: string) => number,
  log: (l: string) => void,
): Promise<void> {
  const variants: NativeVariant[] = ['tar', 'tar-lz4', 'tar-zst'];
  const half = String(Math.max(1, Math.round(scale / 2)));
  const b = await makeNativeBackups(variants, (sql, port, sock) => {
    sql('CREATE DATABASE bench2');
    pgbench(port, sock, ['-s', half, 'bench2']);
    pgbench(port, sock, ['-s', half, '--tablespace=ts1', '--index-tablespace=ts1', 'postgres']);
  });
  log(`  multi-tar (pgbench -s ${half} twice: one in base.tar, one in the tablespace's tar):`);
  try {
    for (const v of variants) {
      const dir = b.dirs[v];
      const manifest = writeManifest(b.root, v, dir);
      const tars = readdirSync(dir)
        .filter((n) => n.includes('.tar'))
        .map((n) => ({ n, size: statSync(join(dir, n)).size }))
        .sort((x, y) => y.size - x.size);
      const largest = tars[0]!.n;
      const seq: GateRun[] = [];
      const par: GateRun[] = [];
      const alone: GateRun[] = [];
      const tool: number[] = [];
      for (let i = 0; i < repeats; i++) {
        seq.push(gate(['verify', dir, manifest, '1']));
        par.push(gate(['verify', dir, manifest, '2']));
        alone.push(gate(['walk', dir, largest]));
        tool.push(tars.reduce((s, t) => s + decompress(join(dir, t.n)), 0));
      }
      const [s, p, a] = [med(seq), med(par), med(alone)];
      log(
        `    ${v}: ${tars.map((t) => `${t.n} ${(t.size / 1e6).toFixed(1)} MB`).join(', ')}; blocks: ${[...new Set([...s.blocks, ...p.blocks])].join(', ') || 'none'}`,
      );
      log(
        `      gate, tars one after the other: ${s.secs.toFixed(3)} s; all at once: ${p.secs.toFixed(3)} s (speed-up ${(s.secs / p.secs).toFixed(2)}x, peak RSS ${(p.rss / 1e6).toFixed(0)} MB); largest tar alone (${largest}): ${a.secs.toFixed(3)} s; whole backup at once / largest alone: ${(p.secs / a.secs).toFixed(2)}; ${toolOf(largest) === 'cat' ? 'cat' : `${toolOf(largest)} -dc`} of every tar in turn: ${median(tool).toFixed(3)} s`,
      );
    }
  } finally {
    removeNativeBackups(b);
  }
}
