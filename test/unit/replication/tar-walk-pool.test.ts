// The tar-walk pool (adapters/workers/): a tar walked in a worker thread is
// walked exactly as in this one (same records, digests, refusals, bomb and
// truncation defences), and every way a worker can fail ends as a refusal
// with a reason, never a pass or a hang. The merge of several tars is in
// the order they were sent, whichever finished first.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as zlib from 'node:zlib';
import { createTarWalkPool, type TarWalkPool } from '../../../src/adapters/workers/tar-walk-pool.js';
import { tarWalkWorkerUrl } from '../../../src/wiring/tar-walks.js';
import { parseBackupManifest } from '../../../src/core/replication/backup-manifest.js';
import { streamBackupSet, type BackupFileSource } from '../../../src/core/replication/backup-set.js';
import { blockFinding } from '../../../src/core/replication/findings.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../../src/core/replication/limits.js';
import {
  walkTarHere,
  type TarJob,
  type TarWalk,
  type TarWalkRunner,
} from '../../../src/core/replication/tar-walk.js';
import type { ByteSource } from '../../../src/core/ports/artifacts.js';
import { syntheticNativeBackup } from '../../support/pg/synthetic-backup.js';
import { fileEntry, tar } from '../../support/pg/tar-builder.js';

/** Chunks as views into one buffer (copied to the worker) or as buffers of their own (transferred). */
function bytes(data: Buffer, chunk = 65536, own = false): ByteSource {
  async function* stream(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i += chunk) {
      const view = data.subarray(i, i + chunk);
      yield own ? Buffer.from(view) : view;
    }
  }
  return { name: 't', size: data.length, stream: stream() };
}

const job = (name: string, limits = DEFAULT_REPLICATION_LIMITS): TarJob => ({
  name,
  prefix: '',
  algorithms: ['SHA256', 'CRC32C'],
  limits,
});

const misbehaving = new URL('../../support/workers/misbehaving-tar-worker.ts', import.meta.url);

function plain(w: TarWalk): unknown {
  return { ...w, kept: [...w.kept.entries()].map(([k, v]) => [k, Buffer.from(v).toString('hex')]) };
}

describe('tar-walk pool (worker threads)', function () {
  // Worker threads start slowly under tsx on a loaded machine: generous start and test limits.
  this.timeout(180_000);
  const good = syntheticNativeBackup();
  const baseTar = zlib.gunzipSync(good.files['base.tar.gz']!);
  let pool: TarWalkPool;
  before(() => {
    pool = createTarWalkPool({
      size: 2,
      inThisThread: false,
      workerUrl: tarWalkWorkerUrl(),
      startMs: 120_000,
    });
  });
  after(() => pool.close());

  it('a tar walked in a worker gives what the same tar gives in this thread (copied and transferred chunks)', async () => {
    const here = await walkTarHere(job('base.tar'), bytes(baseTar), {});
    expect(here.finding).to.equal(undefined);
    expect(here.records.length).to.be.greaterThan(3);
    for (const own of [false, true]) {
      const there = await pool.run(job('base.tar'), bytes(baseTar, 1000, own), {});
      expect(plain(there)).to.deep.equal(plain(here));
    }
  });

  it('a gzip, zstd and lz4 tar: same compression, same records as here', async () => {
    const zst = zlib.zstdCompressSync(baseTar);
    // lz4(1) writes the frames pg_basebackup -Z lz4 does (linked blocks, content checksum).
    const lz4 = execFileSync('lz4', ['-c', '-BD', '--content-size'], { input: baseTar });
    for (const data of [zlib.gzipSync(baseTar), zst, lz4]) {
      const here = await walkTarHere(job('base.tar.x'), bytes(data), {});
      const there = await pool.run(job('base.tar.x'), bytes(data, 777), {});
      expect(there.compression).to.equal(here.compression).and.not.equal('none');
      expect(plain(there)).to.deep.equal(plain(here));
    }
  });

  it('the bomb, truncation and header defences hold in a worker: the same refusal as here', async () => {
    const big = tar(fileEntry('base/1/bomb', Buffer.alloc(64 * 1024 * 1024)));
    const bomb = zlib.gzipSync(big, { level: 9 });
    const truncated = zlib.zstdCompressSync(baseTar).subarray(0, 400);
    const badHeader = Buffer.from(baseTar);
    badHeader[148] = 0x39; // the first header's checksum no longer matches
    const limits = { ...DEFAULT_REPLICATION_LIMITS, compressionRatioFloorBytes: 1024 * 1024 };
    for (const [data, rule] of [
      [bomb, 'archive-gzip-bomb'],
      [truncated, 'archive-truncated'],
      [badHeader, 'archive-corrupt'],
    ] as const) {
      const here = await walkTarHere(job('base.tar.x', limits), bytes(data), {});
      const there = await pool.run(job('base.tar.x', limits), bytes(data), {});
      expect(here.finding?.rule, `here: ${here.finding?.message}`).to.equal(rule);
      expect(there.finding).to.deep.equal(here.finding);
    }
  });

  it('a read error of the source is a snapshot-read-error naming it, as here', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield baseTar.subarray(0, 1024);
      throw new Error('disk went away');
    }
    const there = await pool.run(job('base.tar'), { name: 'base.tar', stream: failing() }, {});
    expect(there.finding?.rule).to.equal('snapshot-read-error');
    expect(there.finding?.message).to.contain('disk went away');
  });

  it('an abort ends the walk with verification-aborted, and the pool still works after it', async () => {
    const ac = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield baseTar.subarray(0, 1024);
      ac.abort();
      await new Promise(() => undefined); // never sends the rest
    }
    const there = await pool.run(
      job('base.tar'),
      { name: 'base.tar', stream: slow() },
      { signal: ac.signal },
    );
    expect(there.finding?.rule).to.equal('verification-aborted');
    const again = await pool.run(job('base.tar'), bytes(baseTar), {});
    expect(again.finding).to.equal(undefined);
  });

  describe('a worker that fails is a refusal with the reason', () => {
    const broken = (misbehave: string, stallMs = 5000): TarWalkPool =>
      createTarWalkPool({
        size: 1,
        inThisThread: false,
        workerUrl: misbehaving,
        workerData: { misbehave },
        stallMs,
        startMs: 120_000,
      });

    it('a worker that exits mid-tar: internal-error naming the tar and the exit', async () => {
      const p = broken('crash');
      try {
        const w = await p.run(job('base.tar'), bytes(baseTar), {});
        expect(w.finding?.rule).to.equal('internal-error');
        expect(w.finding?.message).to.contain('base.tar').and.contain('exited with code 7');
        expect(w.records).to.deep.equal([]);
      } finally {
        await p.close();
      }
    });

    it('a worker that stops answering: internal-error after stallMs, not a hang', async () => {
      const p = broken('stall', 300);
      try {
        const w = await p.run(job('base.tar'), bytes(baseTar, 65536), {});
        expect(w.finding?.rule).to.equal('internal-error');
        expect(w.finding?.message).to.contain('did not answer for 300 ms');
      } finally {
        await p.close();
      }
    });

    it('a worker that cannot start: the tar is walked in this thread instead (same result)', async () => {
      const p = broken('throw-at-load');
      try {
        const w = await p.run(job('base.tar'), bytes(baseTar), {});
        const here = await walkTarHere(job('base.tar'), bytes(baseTar), {});
        expect(plain(w)).to.deep.equal(plain(here));
      } finally {
        await p.close();
      }
    });
  });
});

describe('backup set merge order', () => {
  const good = syntheticNativeBackup();
  const parsed = parseBackupManifest(good.files['backup_manifest']!);
  if (!parsed.ok) throw new Error(parsed.message);
  const names = Object.keys(good.files).filter((n) => n !== 'backup_manifest');

  async function* files(): AsyncGenerator<BackupFileSource> {
    for (const name of names) yield { name, source: bytes(good.files[name]!) };
  }

  /** Finishes the tars in the reverse of the order they were sent. */
  function reversing(fail?: (name: string) => boolean): TarWalkRunner {
    let pending = names.length;
    const gates: (() => void)[] = [];
    return async (j, source, opts) => {
      const w = await walkTarHere(j, source, opts);
      pending--;
      await new Promise<void>((r) => {
        gates.push(r);
        if (pending === 0) for (const g of gates.reverse()) g();
      });
      if (fail?.(j.name)) return { ...w, finding: blockFinding('archive-corrupt', `${j.name} refused`) };
      return w;
    };
  }

  it('records come in the order the tars were sent, whichever finished first', async () => {
    const opts = { limits: DEFAULT_REPLICATION_LIMITS, manifest: parsed.manifest, parallel: names.length };
    const inOrder = await streamBackupSet(files(), opts);
    const reversed = await streamBackupSet(files(), { ...opts, walk: reversing() });
    expect(names.length).to.be.greaterThan(1);
    expect(reversed.failure).to.equal(undefined);
    expect(reversed.records).to.deep.equal(inOrder.records);
    expect(reversed.tars).to.deep.equal(inOrder.tars);
  });

  it('of two refused tars, the one sent first is the refusal reported', async () => {
    const opts = { limits: DEFAULT_REPLICATION_LIMITS, manifest: parsed.manifest, parallel: names.length };
    const r = await streamBackupSet(files(), { ...opts, walk: reversing(() => true) });
    expect(r.failure?.message).to.equal(`${names[0]} refused`);
  });

  it('a runner that rejects is a refusal (internal-error), never a pass', async () => {
    const opts = { limits: DEFAULT_REPLICATION_LIMITS, manifest: parsed.manifest, parallel: 1 };
    const r = await streamBackupSet(files(), { ...opts, walk: () => Promise.reject(new Error('boom')) });
    expect(r.failure?.rule).to.equal('internal-error');
    expect(r.failure?.message).to.contain('boom');
  });
});
