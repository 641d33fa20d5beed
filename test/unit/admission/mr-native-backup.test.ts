// A MigrationRequest naming a native pg_basebackup directory (spec.backup.url
// + spec.expectedBackupManifestHash) instead of one archive: admitted
// through the real artifact source (file:// under the root), refused when it
// cannot be restored, and malformed specs are refused by the contract.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseMigrationRequest } from '../../../src/core/admission/migration-request.js';
import type { GateContext } from '../../../src/services/gate-context.js';
import { admitMigrationRequest, migrationRequest as mr, mrContext } from '../../support/mr-admit.js';
import { sha256, syntheticNativeBackup } from '../../support/pg/synthetic-backup.js';

describe('MigrationRequest with a native pg_basebackup directory (spec.backup)', function () {
  this.timeout(20_000);
  let ctx: GateContext;
  let root: string;
  const good = syntheticNativeBackup();

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'mg-mr-native-'));
    for (const [dir, names] of [
      ['good', Object.keys(good.files)],
      ['no-wal', ['backup_manifest', 'base.tar.gz']],
    ] as const) {
      mkdirSync(path.join(root, dir));
      for (const n of names) writeFileSync(path.join(root, dir, n), good.files[n]!);
    }
    ctx = await mrContext();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const spec = (dir: string, extra: Record<string, unknown> = {}) => ({
    sourceDb: 'a',
    targetDb: 'b',
    syncMode: 'async',
    env: 'staging',
    expectedBackupManifestHash: `sha256:${sha256(good.manifest)}`,
    backup: { url: `file://${root}/${dir}/` },
    ...extra,
  });
  const decide = (s: Record<string, unknown>) => admitMigrationRequest(ctx, root, s);

  it('a restorable tar-format directory is admitted', async () => {
    const res = await decide(spec('good'));
    expect(res.body.response.status?.message ?? '', JSON.stringify(res.body.response)).to.not.contain(
      'BLOCK',
    );
    expect(res.body.response.allowed).to.equal(true);
  });

  it('a directory without its WAL is denied: [backup-wal-missing]', async () => {
    const res = await decide(spec('no-wal'));
    expect(res.body.response.allowed).to.equal(false);
    expect(res.body.response.status!.message).to.contain('[backup-wal-missing]');
  });

  it('the contract: exactly one of (expectedSnapshotHash, snapshot) and (expectedBackupManifestHash, backup)', () => {
    expect(parseMigrationRequest(mr(spec('good'))).ok).to.equal(true);
    const both = parseMigrationRequest(
      mr(spec('good', { expectedSnapshotHash: 'sha256:' + 'a'.repeat(64), snapshot: { url: 'file:///x' } })),
    );
    expect(both.ok).to.equal(false);
    const half = parseMigrationRequest(mr({ ...spec('good'), backup: undefined }));
    expect(half.ok).to.equal(false);
  });
});
