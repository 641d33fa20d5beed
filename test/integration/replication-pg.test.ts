// The T2 gate against a REAL PostgreSQL 15 backup, side by side with
// pg_verifybackup: both must accept the good backup and both must reject
// each corruption. The backup is made once per run (before hook).
import { expect } from 'chai';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  appendFileSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  openSync,
  readSync,
  writeSync,
  closeSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import type { ByteSource } from '../../src/core/ports/artifacts.js';
import { decide } from '../../src/core/decision.js';
import { DEFAULT_REPLICATION_LIMITS, verifyReplication } from '../../src/core/replication/pipeline.js';
import { baselinePolicies } from '../unit/replication/helpers.js';
import {
  copyBackup,
  makeBackup,
  pgAvailable,
  pgVerifyBackup,
  removeBackup,
  replicationManifest,
  sha256File,
  tarGz,
  type RealBackup,
} from '../support/pg/make-backup.js';

function fileSource(path: string): ByteSource {
  return {
    name: path,
    size: statSync(path).size,
    stream: createReadStream(path, { highWaterMark: 64 * 1024 }),
  };
}

async function* walSources(files: readonly { name: string; path: string }[]) {
  for (const f of files) yield { name: f.name, source: fileSource(f.path) };
}

describe('T2 against a real PostgreSQL 15 backup (pg_verifybackup as the reference)', function () {
  this.timeout(60_000);
  let b: RealBackup | undefined;
  const keys = generateKeyPairSync('ed25519');
  const pinned = [{ id: 'it-ed25519', key: keys.publicKey }];

  before(async () => {
    // A missing PostgreSQL is a failed prerequisite, not a reason to skip.
    if (!pgAvailable())
      throw new Error('PostgreSQL 15 is not installed: apt-get install -y postgresql-15 (as .ci/run does)');
    b = await makeBackup();
  });
  after(() => removeBackup(b));

  /** Gate decision for a backup dir (tarred here) with the manifest describing exactly that tar. */
  async function gate(dir: string, walFiles = b!.walFiles, listed = b!.walFiles) {
    const snapshotPath = `${dir}.tar.gz`;
    if (dir !== b!.backupDir) tarGz(dir, snapshotPath);
    const path = dir === b!.backupDir ? b!.snapshotPath : snapshotPath;
    const manifest = Buffer.from(replicationManifest(sha256File(path), listed));
    const evaluation = await verifyReplication({
      manifestBytes: manifest,
      signature: {
        kind: 'detached',
        bytes: Buffer.from(sign(null, manifest, keys.privateKey).toString('base64')),
      },
      snapshot: fileSource(path),
      wal: walSources(walFiles),
      keys: pinned,
      limits: DEFAULT_REPLICATION_LIMITS,
      policies: baselinePolicies,
    });
    const report = decide(evaluation, { requestId: 'it', timestamp: '2026-01-01T00:00:00Z' });
    return { report, rules: evaluation.findings.filter((f) => f.action === 'block').map((f) => f.rule) };
  }

  it('the good backup: pg_verifybackup passes (with WAL) and the gate ALLOWs', async () => {
    expect(pgVerifyBackup(b!.backupDir, b!.walDir).ok).to.equal(true);
    const { report } = await gate(b!.backupDir);
    expect(report.reasons).to.deep.equal([]);
    expect(report.decision).to.equal('ALLOW');
    expect(report.steps.find((s) => s.step === 'backup-manifest')?.detail).to.match(/files verified/);
  });

  it('a CRC32C backup_manifest (pg_basebackup default) verifies too', async () => {
    expect(pgVerifyBackup(b!.crcBackupDir, b!.walDir).ok).to.equal(true);
    expect(readFileSync(join(b!.crcBackupDir, 'backup_manifest'), 'utf8')).to.contain('"CRC32C"');
    const { report } = await gate(b!.crcBackupDir);
    expect(
      report.steps.find((s) => s.step === 'backup-manifest')?.status,
      report.reasons.join('\n'),
    ).to.equal('pass');
  });

  const relation = (dir: string): string => {
    // The largest file under base/: the orders table.
    const db = readdirSync(join(dir, 'base')).map((d) => join(dir, 'base', d));
    const files = db.flatMap((d) => readdirSync(d).map((f) => join(d, f))).filter((f) => /\/\d+$/.test(f));
    return files.sort((x, y) => statSync(y).size - statSync(x).size)[0]!;
  };

  const corruptions: { name: string; rule: string; corrupt: (dir: string) => void }[] = [
    {
      name: 'a flipped byte in a data file',
      rule: 'backup-file-checksum-mismatch',
      corrupt: (dir) => {
        const f = relation(dir);
        const fd = openSync(f, 'r+');
        const one = Buffer.alloc(1);
        readSync(fd, one, 0, 1, 4000);
        one[0] = one[0]! ^ 0xff;
        writeSync(fd, one, 0, 1, 4000);
        closeSync(fd);
      },
    },
    {
      name: 'a deleted file',
      rule: 'backup-file-missing',
      corrupt: (dir) => rmSync(join(dir, 'PG_VERSION')),
    },
    {
      name: 'an extra file',
      rule: 'backup-file-extra',
      corrupt: (dir) => writeFileSync(join(dir, 'base', 'evil'), 'x'),
    },
    {
      name: 'a truncated file',
      rule: 'backup-file-size-mismatch',
      corrupt: (dir) => truncateSync(relation(dir), 8192),
    },
    {
      name: 'a tampered backup_manifest',
      rule: 'backup-manifest-checksum-mismatch',
      corrupt: (dir) => {
        const p = join(dir, 'backup_manifest');
        writeFileSync(
          p,
          readFileSync(p, 'utf8').replace(/"Size": (\d+)/, (_m, n: string) => `"Size": ${Number(n) + 1}`),
        );
      },
    },
  ];

  for (const c of corruptions) {
    it(`${c.name}: pg_verifybackup fails and the gate BLOCKs with ${c.rule}`, async () => {
      const dir = copyBackup(b!, c.rule);
      c.corrupt(dir);
      const ref = pgVerifyBackup(dir, b!.walDir);
      expect(ref.ok, ref.output).to.equal(false);
      const { report, rules } = await gate(dir);
      expect(report.decision).to.equal('BLOCK');
      expect(rules, report.reasons.join('\n')).to.include(c.rule);
    });
  }

  it('a dropped WAL segment: pg_verifybackup fails and the gate BLOCKs with wal-missing', async () => {
    // The segment holding the (first, SHA256) backup's start: named by its .backup history file.
    const history = b!.walFiles.find((w) => w.name.endsWith('.backup'))!;
    const dropped = b!.walFiles.find((w) => w.name === history.name.slice(0, 24))!;
    const dir = join(b!.root, 'wal-dropped');
    // The reference: the same archive without that segment.
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(dir);
    for (const w of b!.walFiles) if (w !== dropped) copyFileSync(w.path, join(dir, w.name));
    expect(pgVerifyBackup(b!.backupDir, dir).ok).to.equal(false);
    const { report, rules } = await gate(
      b!.backupDir,
      b!.walFiles.filter((w) => w !== dropped),
    );
    expect(report.decision).to.equal('BLOCK');
    expect(rules).to.include('wal-missing');
    expect(report.reasons.join('\n')).to.contain(dropped.name);
  });

  it('garbage appended to the snapshot blocks (and the manifest digest no longer matches)', async () => {
    const p = join(b!.root, 'appended.tar.gz');
    writeFileSync(p, readFileSync(b!.snapshotPath));
    appendFileSync(p, 'tail');
    const manifest = Buffer.from(replicationManifest(sha256File(p), b!.walFiles));
    const evaluation = await verifyReplication({
      manifestBytes: manifest,
      snapshot: fileSource(p),
      wal: walSources(b!.walFiles),
      keys: pinned,
      limits: DEFAULT_REPLICATION_LIMITS,
      policies: baselinePolicies,
    });
    expect(evaluation.findings.map((f) => f.rule)).to.include('archive-trailing-data');
  });
});
