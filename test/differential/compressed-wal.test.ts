// Archived WAL compressed by the archive command (`gzip`, `zstd`, `lz4` of
// each segment), beside the .backup history file the archive also holds:
// real PostgreSQL 15 WAL from a -X none backup (it needs the archive to be
// restorable). Each compression is decoded with the real tools' formats and
// gets the plain segment's checks; tampered copies are refused by name.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REPLICATION_LIMITS, verifyReplication } from '../../src/core/replication/pipeline.js';
import { replicationRequestFromFiles } from '../../src/cli/replication-files.js';
import { baselinePolicies } from '../unit/replication/helpers.js';
import { makeNativeBackups, removeNativeBackups, type NativeBackups } from '../support/pg/native-backups.js';
import { pgAvailable } from '../support/pg/make-backup.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const TOOLS = { gz: ['gzip', '-c'], zst: ['zstd', '-q', '-c'], lz4: ['lz4', '-q', '-c'] } as const;
type Ext = keyof typeof TOOLS;
const compress = (ext: Ext, bytes: Buffer): Buffer => {
  const [cmd, ...args] = TOOLS[ext];
  return execFileSync(cmd, args, { input: bytes, maxBuffer: 1 << 28 });
};

describe('archived WAL compressed by the archive command (.gz, .zst, .lz4), real PostgreSQL 15 WAL', function () {
  this.timeout(180_000);
  let b: NativeBackups | undefined;
  let n = 0;
  let segments: string[] = [];

  before(async () => {
    if (!pgAvailable())
      throw new Error('PostgreSQL 15 is not installed: apt-get install -y postgresql-15 (as .ci/run does)');
    b = await makeNativeBackups(['tar-none']);
    segments = readdirSync(b.walArchive).filter((x) => /^[0-9A-F]{24}$/.test(x));
  });
  after(() => removeNativeBackups(b));

  /** A WAL dir: every archived file, segments compressed with `ext` (or as `edit` makes them). */
  function walDir(ext: Ext | 'mixed', edit?: (name: string, bytes: Buffer) => [string, Buffer][]): string {
    const dir = join(b!.root, `wal-${n++}`);
    mkdirSync(dir);
    const exts: Ext[] = ['gz', 'zst', 'lz4'];
    for (const [i, name] of readdirSync(b!.walArchive).sort().entries()) {
      const from = join(b!.walArchive, name);
      if (!segments.includes(name)) {
        copyFileSync(from, join(dir, name)); // .backup / .history files stay plain, as archive commands leave them
        continue;
      }
      const e = ext === 'mixed' ? exts[i % 3]! : ext;
      const out: [string, Buffer][] = edit
        ? edit(name, readFileSync(from))
        : [[`${name}.${e}`, compress(e, readFileSync(from))]];
      for (const [to, bytes] of out) writeFileSync(join(dir, to), bytes);
    }
    return dir;
  }

  async function gate(
    wal: string,
    walFiles?: string,
  ): Promise<{ decision: string; rules: string[]; reasons: string[] }> {
    const dir = b!.dirs['tar-none'];
    const manifest = join(b!.root, `m-${n++}.yaml`);
    writeFileSync(
      manifest,
      `source_db: a\ntarget_db: b\nexpected_backup_manifest_hash: sha256:${sha256(readFileSync(join(dir, 'backup_manifest')))}\nsync_mode: async\nenv: staging\n${walFiles ?? ''}`,
    );
    const req = await replicationRequestFromFiles({ manifest, backup: dir, walDir: wal });
    const ev = await verifyReplication({
      ...req,
      keys: [],
      limits: DEFAULT_REPLICATION_LIMITS,
      policies: baselinePolicies,
    });
    const blocks = ev.findings.filter((f) => f.action === 'block');
    return {
      decision: blocks.length > 0 ? 'BLOCK' : 'ALLOW',
      rules: blocks.map((f) => f.rule),
      reasons: blocks.map((f) => f.message),
    };
  }

  it('the archive holds real segments and the .backup history file', () => {
    expect(segments.length).to.be.greaterThan(0);
    expect(readdirSync(b!.walArchive).some((x) => x.endsWith('.backup'))).to.equal(true);
  });

  for (const ext of ['gz', 'zst', 'lz4', 'mixed'] as const) {
    it(`${ext}: the compressed archive restores the -X none backup (ALLOW), as the plain archive does`, async () => {
      const g = await gate(walDir(ext));
      expect(g.reasons).to.deep.equal([]);
      expect(g.decision).to.equal('ALLOW');
    });
  }

  it('listed digests are of the files as sent (compressed); a wrong one is refused', async () => {
    const dir = walDir('zst');
    const names = readdirSync(dir).filter((x) => x.endsWith('.zst'));
    const list = names.map(
      (x) => `  - name: "${x}"\n    sha256: sha256:${sha256(readFileSync(join(dir, x)))}\n`,
    );
    const others = readdirSync(dir).filter((x) => !x.endsWith('.zst'));
    const rest = others.map(
      (x) => `  - name: "${x}"\n    sha256: sha256:${sha256(readFileSync(join(dir, x)))}\n`,
    );
    const ok = await gate(dir, `wal_files:\n${[...list, ...rest].join('')}`);
    expect(ok.reasons).to.deep.equal([]);
    const bad = list[0]!.replace(/sha256:[0-9a-f]{64}/, `sha256:${'0'.repeat(64)}`);
    const g = await gate(dir, `wal_files:\n${[bad, ...list.slice(1), ...rest].join('')}`);
    expect(g.rules).to.deep.equal(['wal-digest-mismatch']);
  });

  for (const ext of ['gz', 'zst', 'lz4'] as const) {
    it(`${ext}: a segment of another system identifier inside a valid ${ext} stream is refused (wal-system-id-mismatch)`, async () => {
      const g = await gate(
        walDir(ext, (name, bytes) => {
          const copy = Buffer.from(bytes);
          copy.writeBigUInt64LE(copy.readBigUInt64LE(24) ^ 1n, 24);
          return [[`${name}.${ext}`, compress(ext, copy)]];
        }),
      );
      expect(g.rules).to.include('wal-system-id-mismatch');
    });

    it(`${ext}: a page header zeroed inside the stream (pages are checked after decoding)`, async () => {
      const g = await gate(
        walDir(ext, (name, bytes) => {
          const copy = Buffer.from(bytes);
          copy.fill(0, 0, 40);
          return [[`${name}.${ext}`, compress(ext, copy)]];
        }),
      );
      expect(g.rules).to.include('wal-header-mismatch');
    });

    it(`${ext}: a truncated stream is refused (wal-compression-corrupt), never read as a short segment`, async () => {
      const g = await gate(
        walDir(ext, (name, bytes) => {
          const c = compress(ext, bytes);
          return [[`${name}.${ext}`, c.subarray(0, c.length - 7)]];
        }),
      );
      expect(g.rules).to.include('wal-compression-corrupt');
      expect(g.decision).to.equal('BLOCK');
    });
  }

  it('a wrong compression claim (gzip bytes named .zst) is refused by name', async () => {
    const g = await gate(walDir('gz', (name, bytes) => [[`${name}.zst`, compress('gz', bytes)]]));
    expect(g.rules).to.include('wal-compression-mismatch');
  });

  it('a plain segment named .lz4 is refused (the bytes decide, not the name)', async () => {
    const g = await gate(walDir('lz4', (name, bytes) => [[`${name}.lz4`, bytes]]));
    expect(g.rules).to.include('wal-compression-mismatch');
  });

  it('one segment sent plain and compressed is a duplicate', async () => {
    const g = await gate(
      walDir('gz', (name, bytes) => [
        [name, bytes],
        [`${name}.gz`, compress('gz', bytes)],
      ]),
    );
    expect(g.rules).to.include('wal-duplicate');
  });

  it('a zstd bomb named as a segment stops at the per-file limit (wal-budget-exceeded)', async () => {
    const zeros = Buffer.alloc(DEFAULT_REPLICATION_LIMITS.maxWalFileBytes + 1024 * 1024);
    const g = await gate(walDir('zst', (name) => [[`${name}.zst`, compress('zst', zeros)]]));
    expect(g.rules).to.include('wal-budget-exceeded');
  });

  it('concatenated gzip members (gzip of each half, appended) are read whole, as gzip -d does', async () => {
    const g = await gate(
      walDir('gz', (name, bytes) => {
        const half = bytes.length / 2;
        return [
          [
            `${name}.gz`,
            Buffer.concat([compress('gz', bytes.subarray(0, half)), compress('gz', bytes.subarray(half))]),
          ],
        ];
      }),
    );
    expect(g.reasons).to.deep.equal([]);
  });
});
