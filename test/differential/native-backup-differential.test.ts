// Native pg_basebackup output (PostgreSQL 15: plain, tar, tar.gz, tar.lz4,
// tar.zst, server-side zstd, -X stream / fetch / none, a tablespace) and
// tampered copies, side by side with pg_verifybackup 18 -n: for every
// backup both must agree on accept/refuse, except where the gate refuses
// more, and each such case says why. Slow (real clusters): `npm run
// test:native` (called by .ci/run), not `npm test`.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  openSync,
  readSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { judgeFiles } from '../unit/replication/helpers.js';
import {
  copyDir,
  makeNativeBackups,
  removeNativeBackups,
  type NativeBackups,
  type NativeVariant,
} from '../support/pg/native-backups.js';
import { pgAvailable } from '../support/pg/make-backup.js';
import { pgVerifyBackup18, requirePg18 } from '../support/pg/pg18.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

interface Verdict {
  decision: 'ALLOW' | 'BLOCK';
  rules: string[];
  reasons: string[];
}

describe('native pg_basebackup output: the gate beside pg_verifybackup 18', function () {
  this.timeout(180_000);
  let b: NativeBackups | undefined;
  let n = 0;

  before(async () => {
    if (!pgAvailable())
      throw new Error('PostgreSQL 15 is not installed: apt-get install -y postgresql-15 (as .ci/run does)');
    requirePg18();
    b = await makeNativeBackups();
  });
  after(() => removeNativeBackups(b));

  /** The gate on a directory through the CLI's local path (files opened as the core asks). */
  async function gate(dir: string, opts: { walDir?: string; manifestHash?: string } = {}): Promise<Verdict> {
    const hash = opts.manifestHash ?? sha256(readFileSync(join(dir, 'backup_manifest')));
    const manifest = join(b!.root, `m-${n++}.yaml`);
    writeFileSync(
      manifest,
      `source_db: pg15-a\ntarget_db: pg15-b\nexpected_backup_manifest_hash: sha256:${hash}\nsync_mode: async\nenv: staging\n`,
    );
    return judgeFiles({ manifest, backup: dir, ...(opts.walDir ? { walDir: opts.walDir } : {}) });
  }

  /** pg_verifybackup 18 on the directory; lz4/zstd tars (its build lacks them) decompressed by the lz4/zstd tools first. */
  function reference(dir: string): { ok: boolean; output: string } {
    const names = readdirSync(dir);
    if (!names.some((x) => x.endsWith('.lz4') || x.endsWith('.zst'))) return pgVerifyBackup18(dir);
    const plain = `${dir}-decompressed`;
    rmSync(plain, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', plain]);
    for (const name of names) {
      const from = join(dir, name);
      try {
        if (name.endsWith('.zst'))
          execFileSync('zstd', ['-q', '-d', from, '-o', join(plain, name.slice(0, -4))], { stdio: 'pipe' });
        else if (name.endsWith('.lz4'))
          execFileSync('lz4', ['-q', '-d', from, join(plain, name.slice(0, -4))], { stdio: 'pipe' });
        else copyFileSync(from, join(plain, name));
      } catch (e) {
        // The reference's decompressor refusing the file is the reference refusing the backup.
        return { ok: false, output: `${name}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    return pgVerifyBackup18(plain);
  }

  const restorable: NativeVariant[] = ['plain', 'tar', 'tar-fetch', 'tar-gz', 'tar-lz4', 'tar-zst'];
  for (const v of restorable) {
    it(`${v}: pg_verifybackup and the gate both accept`, async () => {
      const ref = reference(b!.dirs[v]);
      expect(ref.ok, ref.output).to.equal(true);
      const g = await gate(b!.dirs[v]);
      expect(g.reasons, v).to.deep.equal([]);
      expect(g.decision).to.equal('ALLOW');
    });
  }

  for (const v of ['tar-none', 'tar-server-zst'] as const) {
    it(`${v} (-X none): pg_verifybackup -n accepts; the gate refuses more (backup-wal-missing: it cannot be restored), and accepts it with the archived WAL`, async () => {
      expect(reference(b!.dirs[v]).ok).to.equal(true);
      const g = await gate(b!.dirs[v]);
      expect(g.rules).to.deep.equal(['backup-wal-missing']);
      expect(g.reasons[0]).to.contain('cannot be restored to consistency');
      const ok = await gate(b!.dirs[v], { walDir: b!.walArchive });
      expect(ok.reasons).to.deep.equal([]);
      expect(ok.decision).to.equal('ALLOW');
    });
  }

  /** Both refuse; the gate names `rule`. */
  async function bothRefuse(dir: string, rule: string, opts: { manifestHash?: string } = {}): Promise<void> {
    const ref = reference(dir);
    expect(ref.ok, `pg_verifybackup accepted ${dir}`).to.equal(false);
    const g = await gate(dir, opts);
    expect(g.decision).to.equal('BLOCK');
    expect(g.rules, g.reasons.join('\n')).to.include(rule);
  }

  it('a data file changed in base.tar (same size): both refuse', async () => {
    const dir = copyDir(b!, b!.dirs.tar, 'flip');
    const tar = join(dir, 'base.tar');
    const listing = execFileSync('tar', ['-tvf', tar], { encoding: 'utf8' });
    expect(listing).to.contain('global/pg_control');
    // Flip one byte deep inside the archive (inside a relation file's data).
    const fd = openSync(tar, 'r+');
    const at = Math.floor(statSync(tar).size / 2);
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, at);
    one[0] = one[0]! ^ 0xff;
    writeSync(fd, one, 0, 1, at);
    closeSync(fd);
    const g = await gate(dir);
    expect(reference(dir).ok).to.equal(false);
    expect(g.decision).to.equal('BLOCK');
    expect(
      g.rules.some((r) => r === 'backup-file-checksum-mismatch' || r.startsWith('archive-')),
      g.reasons.join(),
    ).to.equal(true);
  });

  it('a truncated base.tar inside a good manifest: both refuse', async () => {
    const dir = copyDir(b!, b!.dirs.tar, 'trunc');
    truncateSync(join(dir, 'base.tar'), 10_000_000);
    await bothRefuse(dir, 'archive-truncated');
  });

  it('a truncated base.tar.zst: both refuse', async () => {
    const dir = copyDir(b!, b!.dirs['tar-zst'], 'trunc-zst');
    const f = join(dir, 'base.tar.zst');
    truncateSync(f, Math.floor(statSync(f).size / 2));
    await bothRefuse(dir, 'archive-truncated');
  });

  it('a truncated base.tar.lz4: both refuse', async () => {
    const dir = copyDir(b!, b!.dirs['tar-lz4'], 'trunc-lz4');
    const f = join(dir, 'base.tar.lz4');
    truncateSync(f, Math.floor(statSync(f).size / 2));
    await bothRefuse(dir, 'archive-truncated');
  });

  it('the manifest names files of a tablespace whose tar is missing: both refuse', async () => {
    const dir = copyDir(b!, b!.dirs.tar, 'no-tblspc');
    const tblspc = readdirSync(dir).find((x) => /^[0-9]+\.tar$/.test(x))!;
    rmSync(join(dir, tblspc));
    await bothRefuse(dir, 'backup-file-missing');
  });

  it('a wrong compression claim (zstd bytes named .tar.gz): both refuse', async () => {
    const dir = copyDir(b!, b!.dirs['tar-zst'], 'claim');
    renameSync(join(dir, 'base.tar.zst'), join(dir, 'base.tar.gz'));
    const ref = pgVerifyBackup18(dir);
    expect(ref.ok).to.equal(false);
    const g = await gate(dir);
    expect(g.rules).to.include('archive-compression-mismatch');
  });

  it('the same tar twice (base.tar and base.tar.gz): pg_verifybackup 18 accepts; the gate refuses more (backup-file-duplicate: which one is restored depends on the operator)', async () => {
    const dir = copyDir(b!, b!.dirs.tar, 'twice');
    execFileSync('gzip', ['-1', '-k', join(dir, 'base.tar')]);
    expect(pgVerifyBackup18(dir).ok).to.equal(true);
    const g = await gate(dir);
    expect(g.rules).to.deep.equal(['backup-file-duplicate']);
  });

  it('an edited backup_manifest: the pin refuses it; re-pinned, its own checksum refuses it (both refuse)', async () => {
    const dir = copyDir(b!, b!.dirs.tar, 'manifest');
    const m = join(dir, 'backup_manifest');
    writeFileSync(m, readFileSync(m, 'utf8').replace('"Size": 3,', '"Size": 4,'));
    const stale = sha256(readFileSync(join(b!.dirs.tar, 'backup_manifest')));
    expect((await gate(dir, { manifestHash: stale })).rules).to.deep.equal([
      'backup-manifest-digest-mismatch',
    ]);
    await bothRefuse(dir, 'backup-manifest-checksum-mismatch');
  });

  it('a zstd frame bomb as a tablespace tar: the gate stops inflating (archive-gzip-bomb); pg_verifybackup refuses the backup too', async () => {
    const dir = copyDir(b!, b!.dirs['tar-zst'], 'bomb');
    const tblspc = readdirSync(dir).find((x) => /^[0-9]+\.tar\.zst$/.test(x))!;
    const zeros = join(b!.root, 'zeros.tar');
    // A tar header claiming a 400 MiB file, then zeros: ~1000:1.
    execFileSync('sh', [
      '-c',
      `head -c 419430400 /dev/zero > ${zeros}.data && tar -C ${b!.root} -cf ${zeros} zeros.tar.data && zstd -q -19 -f ${zeros} -o ${join(dir, tblspc)} && rm -f ${zeros}.data ${zeros}`,
    ]);
    const g = await gate(dir);
    expect(g.rules).to.deep.equal(['archive-gzip-bomb']);
    expect(reference(dir).ok).to.equal(false);
  });

  it('pg_wal.tar with its segment cut short: pg_verifybackup -n accepts (it skips WAL); the gate refuses more (the WAL a restore replays)', async () => {
    const dir = copyDir(b!, b!.dirs.tar, 'short-wal');
    const work = join(b!.root, 'walx');
    rmSync(work, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', work]);
    execFileSync('tar', ['-C', work, '-xf', join(dir, 'pg_wal.tar')]);
    const seg = readdirSync(work).find((x) => /^[0-9A-F]{24}$/.test(x))!;
    // Half a page left: not a segment any more.
    truncateSync(join(work, seg), 4096);
    execFileSync('tar', ['-C', work, '-cf', join(dir, 'pg_wal.tar'), seg, ...walTarExtras(work)]);
    expect(pgVerifyBackup18(dir).ok).to.equal(true);
    const g = await gate(dir);
    expect(g.rules, g.reasons.join()).to.include('wal-header-mismatch');
    expect(g.reasons.join()).to.contain('pg_wal.tar');
  });

  it("pg_wal.tar's segment with its later pages zeroed past the end LSN is still restorable (the range ends in page 1)", async () => {
    const dir = copyDir(b!, b!.dirs.tar, 'zero-tail');
    const work = join(b!.root, 'walz');
    rmSync(work, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', work]);
    execFileSync('tar', ['-C', work, '-xf', join(dir, 'pg_wal.tar')]);
    const seg = readdirSync(work).find((x) => /^[0-9A-F]{24}$/.test(x))!;
    const bytes = readFileSync(join(work, seg));
    bytes.fill(0, 8192);
    writeFileSync(join(work, seg), bytes);
    execFileSync('tar', ['-C', work, '-cf', join(dir, 'pg_wal.tar'), seg, ...walTarExtras(work)]);
    const g = await gate(dir);
    expect(g.reasons).to.deep.equal([]);
  });

  it('a WAL segment of another cluster sent for a -X none backup: refused (wal-system-id-mismatch)', async () => {
    const other = await makeNativeBackups(['tar-none']);
    try {
      const wal = join(b!.root, 'other-wal');
      rmSync(wal, { recursive: true, force: true });
      execFileSync('mkdir', ['-p', wal]);
      // The other cluster's segments renamed onto the names this backup needs.
      const need = readFileSync(join(b!.dirs['tar-none'], 'backup_manifest'), 'utf8');
      expect(need).to.contain('WAL-Ranges');
      for (const name of readdirSync(b!.walArchive).filter((x) => /^[0-9A-F]{24}$/.test(x))) {
        const src = join(other.walArchive, name);
        try {
          copyFileSync(src, join(wal, name));
        } catch {
          appendFileSync(join(wal, '.missing'), name);
        }
      }
      const g = await gate(b!.dirs['tar-none'], { walDir: wal });
      expect(g.decision).to.equal('BLOCK');
      expect(g.rules).to.include('wal-system-id-mismatch');
    } finally {
      removeNativeBackups(other);
    }
  });
});

/** pg_basebackup puts archive_status/ in pg_wal.tar on some versions and not on others: keep it only when it was there. */
function walTarExtras(work: string): string[] {
  return readdirSync(work).filter((x) => x === 'archive_status');
}
