// WAL inside pg_wal.tar gets the checks WAL in a wal dir gets. Each tamper
// below is made twice from the same real PostgreSQL 15 WAL: once inside the
// backup's pg_wal.tar, once as a file sent beside a -X none backup; the gate
// must name the same rule both ways. (The timeline history in pg_wal.tar
// was the difference: it was not read at all, so a corrupt one passed.)
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REPLICATION_LIMITS, verifyReplication } from '../../src/core/replication/pipeline.js';
import { replicationRequestFromFiles } from '../../src/cli/replication-files.js';
import { baselinePolicies } from '../unit/replication/helpers.js';
import {
  copyDir,
  makeNativeBackups,
  removeNativeBackups,
  type NativeBackups,
} from '../support/pg/native-backups.js';
import { pgAvailable } from '../support/pg/make-backup.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

type Tamper = (files: Map<string, Buffer>) => void;

const TAMPERS: Record<string, { rule: string; tamper: Tamper }> = {
  'a corrupt timeline history file': {
    rule: 'wal-history-invalid',
    tamper: (f) => f.set('00000002.history', Buffer.from('this is not a history file\n')),
  },
  'a history file whose switch point is not an LSN': {
    rule: 'wal-history-invalid',
    tamper: (f) => f.set('00000002.history', Buffer.from('1\tnot/an-lsn\tno recovery target specified\n')),
  },
  'a segment of another system identifier': {
    rule: 'wal-system-id-mismatch',
    tamper: (f) => {
      for (const [name, b] of f)
        if (/^[0-9A-F]{24}$/.test(name)) {
          const c = Buffer.from(b);
          c.writeBigUInt64LE(c.readBigUInt64LE(24) ^ 1n, 24);
          f.set(name, c);
        }
    },
  },
  'a segment whose first page claims another segment (page address)': {
    rule: 'wal-header-mismatch',
    tamper: (f) => {
      for (const [name, b] of f)
        if (/^[0-9A-F]{24}$/.test(name)) {
          const c = Buffer.from(b);
          c.writeBigUInt64LE(c.readBigUInt64LE(8) + 16n * 1024n * 1024n, 8);
          f.set(name, c);
        }
    },
  },
};

describe('WAL in pg_wal.tar gets the checks of WAL sent in a wal dir (real PostgreSQL 15 WAL)', function () {
  this.timeout(180_000);
  let b: NativeBackups | undefined;
  let n = 0;

  before(async () => {
    if (!pgAvailable())
      throw new Error('PostgreSQL 15 is not installed: apt-get install -y postgresql-15 (as .ci/run does)');
    b = await makeNativeBackups(['tar', 'tar-none']);
  });
  after(() => removeNativeBackups(b));

  async function gate(dir: string, walDir?: string): Promise<string[]> {
    const manifest = join(b!.root, `m-${n++}.yaml`);
    writeFileSync(
      manifest,
      `source_db: a\ntarget_db: b\nexpected_backup_manifest_hash: sha256:${sha256(readFileSync(join(dir, 'backup_manifest')))}\nsync_mode: async\nenv: staging\n`,
    );
    const req = await replicationRequestFromFiles({ manifest, backup: dir, ...(walDir ? { walDir } : {}) });
    const ev = await verifyReplication({
      ...req,
      keys: [],
      limits: DEFAULT_REPLICATION_LIMITS,
      policies: baselinePolicies,
    });
    return ev.findings.filter((f) => f.action === 'block').map((f) => f.rule);
  }

  function files(dir: string): Map<string, Buffer> {
    return new Map(
      readdirSync(dir)
        .filter((x) => x !== 'archive_status')
        .map((x) => [x, readFileSync(join(dir, x))]),
    );
  }

  it('untampered: both the -X stream backup and the -X none backup with its archive are accepted', async () => {
    expect(await gate(b!.dirs.tar)).to.deep.equal([]);
    expect(await gate(b!.dirs['tar-none'], b!.walArchive)).to.deep.equal([]);
  });

  for (const [what, { rule, tamper }] of Object.entries(TAMPERS)) {
    it(`${what}: refused (${rule}) inside pg_wal.tar and in the wal dir alike`, async () => {
      // Inside pg_wal.tar.
      const dir = copyDir(b!, b!.dirs.tar, `t-${n++}`);
      const work = join(b!.root, `w-${n++}`);
      mkdirSync(work);
      execFileSync('tar', ['-C', work, '-xf', join(dir, 'pg_wal.tar')]);
      const hadStatus = readdirSync(work).includes('archive_status');
      const inTar = files(work);
      tamper(inTar);
      for (const [name, bytes] of inTar) writeFileSync(join(work, name), bytes);
      execFileSync('tar', [
        '-C',
        work,
        '-cf',
        join(dir, 'pg_wal.tar'),
        ...[...inTar.keys()].sort(),
        ...(hadStatus ? ['archive_status'] : []),
      ]);
      expect(await gate(dir), 'pg_wal.tar').to.include(rule);
      // The same tamper on the archive sent beside the -X none backup.
      const wal = join(b!.root, `a-${n++}`);
      mkdirSync(wal);
      const sent = files(b!.walArchive);
      tamper(sent);
      for (const [name, bytes] of sent) writeFileSync(join(wal, name), bytes);
      expect(await gate(b!.dirs['tar-none'], wal), 'wal dir').to.include(rule);
      rmSync(work, { recursive: true, force: true });
    });
  }

  it('a valid history in pg_wal.tar that the one sent contradicts: refused, one history or none', async () => {
    const dir = copyDir(b!, b!.dirs.tar, `h-${n++}`);
    const work = join(b!.root, `w-${n++}`);
    mkdirSync(work);
    execFileSync('tar', ['-C', work, '-xf', join(dir, 'pg_wal.tar')]);
    writeFileSync(join(work, '00000002.history'), '1\t0/9000000\tno recovery target specified\n');
    execFileSync('tar', ['-C', work, '-rf', join(dir, 'pg_wal.tar'), '00000002.history']);
    const wal = join(b!.root, `a-${n++}`);
    mkdirSync(wal);
    writeFileSync(join(wal, '00000002.history'), '1\t0/A000000\tno recovery target specified\n');
    expect(await gate(dir, wal)).to.include('wal-history-invalid');
  });
});
