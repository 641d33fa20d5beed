// T2 benchmark: verification throughput of verifyReplication on a generated
// snapshot.tar.gz against the gunzip-only throughput of the same file, both
// measured in this run, each in its own child process (so peak RSS is per
// measurement); peak RSS at two snapshot sizes; and the time against
// pg_verifybackup on a real PostgreSQL backup. A benchmark, never a test.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSnapshot, type GeneratedSnapshot } from './t2-snapshot.js';
import { makeBenchBackup, pgAvailable, timePgVerifyBackup } from './t2-pg.js';

const GiB = 1024 ** 3;

export interface WorkerResult {
  seconds: number;
  /** CPU time of the measurement, all threads (zlib inflates on the libuv pool). */
  cpuSeconds: number;
  compressedBytes: number;
  peakRssBytes: number;
  [k: string]: unknown;
}

export interface T2SizeResult {
  snapshot: GeneratedSnapshot;
  gunzip: WorkerResult[];
  verify: WorkerResult[];
  /** Medians, MB/s (10^6 bytes) of compressed bytes. */
  gunzipMBps: number;
  verifyMBps: number;
  ratio: number;
  /** Medians, MB of compressed input per CPU-second: less sensitive to other load on the machine. */
  gunzipCpuMBps: number;
  verifyCpuMBps: number;
  gunzipPeakRss: number;
  verifyPeakRss: number;
}

export interface T2PgResult {
  checksums: string;
  dirBytes: number;
  compressedBytes: number;
  pgSeconds: number[];
  oursSeconds: number[];
  /** median(ours) / median(pg_verifybackup). */
  timeRatio: number;
}

export interface T2BenchResult {
  sizes: T2SizeResult[];
  pg: T2PgResult[] | string;
}

export interface T2Options {
  gb: number;
  largeGb: number;
  /** Runs per measurement at `gb` and for pg_verifybackup (medians reported). */
  repeats: number;
  /** Runs at `largeGb` (the second RSS point). */
  largeRepeats: number;
  pgScale: number;
  /** Extra node flags for the verify worker (e.g. --cpu-prof). */
  verifyNodeFlags: string[];
  log: (line: string) => void;
}

import { median } from './median.js';
export { median };

/** Runs `node --import tsx <script> ...args` and parses the JSON line it prints last. */
export function runWorker(script: string, args: string[], nodeFlags: string[] = []): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as WorkerResult);
      } catch (e) {
        reject(new Error(`${script} printed no result: ${String(e)}`));
      }
    });
  });
}

const GUNZIP = 'test/bench/workers/t2-gunzip.ts';
const VERIFY = 'test/bench/workers/t2-verify.ts';
const mbps = (r: WorkerResult): number => r.compressedBytes / 1e6 / r.seconds;
const cpuMbps = (r: WorkerResult): number => r.compressedBytes / 1e6 / r.cpuSeconds;

async function measureSize(
  dir: string,
  gb: number,
  tag: string,
  repeats: number,
  opts: T2Options,
): Promise<T2SizeResult> {
  opts.log(`  generating ${gb} GiB (compressed) snapshot…`);
  const snapshot = await generateSnapshot(dir, Math.round(gb * GiB), tag);
  opts.log(
    `  generated ${snapshot.compressedBytes} bytes compressed / ${snapshot.uncompressedBytes} uncompressed (${(snapshot.uncompressedBytes / snapshot.compressedBytes).toFixed(2)}x) in ${snapshot.seconds.toFixed(1)} s`,
  );
  try {
    // Warm the page cache so both measurements read from memory, then interleave them.
    await runWorker(GUNZIP, [snapshot.snapshotPath]);
    const gunzip: WorkerResult[] = [];
    const verify: WorkerResult[] = [];
    for (let i = 0; i < repeats; i++) {
      gunzip.push(await runWorker(GUNZIP, [snapshot.snapshotPath]));
      verify.push(
        await runWorker(VERIFY, [snapshot.snapshotPath, snapshot.manifestPath], opts.verifyNodeFlags),
      );
      opts.log(
        `    run ${i + 1}: gunzip ${mbps(gunzip[i]!).toFixed(1)} MB/s (${gunzip[i]!.cpuSeconds.toFixed(1)} CPU-s), verify ${mbps(verify[i]!).toFixed(1)} MB/s (${verify[i]!.cpuSeconds.toFixed(1)} CPU-s)`,
      );
    }
    const gunzipMBps = median(gunzip.map(mbps));
    const verifyMBps = median(verify.map(mbps));
    return {
      snapshot,
      gunzip,
      verify,
      gunzipMBps,
      verifyMBps,
      ratio: verifyMBps / gunzipMBps,
      gunzipCpuMBps: median(gunzip.map(cpuMbps)),
      verifyCpuMBps: median(verify.map(cpuMbps)),
      gunzipPeakRss: Math.max(...gunzip.map((r) => r.peakRssBytes)),
      verifyPeakRss: Math.max(...verify.map((r) => r.peakRssBytes)),
    };
  } finally {
    rmSync(snapshot.snapshotPath, { force: true });
    rmSync(snapshot.manifestPath, { force: true });
  }
}

async function measurePg(opts: T2Options): Promise<T2PgResult[] | string> {
  if (!pgAvailable()) return 'skipped: PostgreSQL 15 binaries (or the postgres user) not available';
  opts.log(`  making a real backup (pgbench -i -s ${opts.pgScale})…`);
  const b = await makeBenchBackup(opts.pgScale);
  try {
    const out: T2PgResult[] = [];
    for (const bk of b.backups) {
      timePgVerifyBackup(bk.dir); // warm-up (page cache)
      const pgSeconds: number[] = [];
      const oursSeconds: number[] = [];
      for (let i = 0; i < opts.repeats; i++) {
        pgSeconds.push(timePgVerifyBackup(bk.dir));
        oursSeconds.push((await runWorker(VERIFY, [bk.snapshotPath, bk.manifestPath])).seconds);
      }
      out.push({
        checksums: bk.checksums,
        dirBytes: bk.dirBytes,
        compressedBytes: bk.compressedBytes,
        pgSeconds,
        oursSeconds,
        timeRatio: median(oursSeconds) / median(pgSeconds),
      });
    }
    return out;
  } finally {
    rmSync(b.root, { recursive: true, force: true });
  }
}

export async function benchT2(opts: T2Options): Promise<T2BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-t2-bench-'));
  try {
    const sizes: T2SizeResult[] = [];
    if (opts.gb > 0) sizes.push(await measureSize(dir, opts.gb, 'main', opts.repeats, opts));
    if (opts.largeGb > 0 && opts.largeGb !== opts.gb)
      sizes.push(await measureSize(dir, opts.largeGb, 'large', opts.largeRepeats, opts));
    const pg = await measurePg(opts);
    return { sizes, pg };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
