// T2 with a native pg_basebackup directory through the real REST API:
// multipart (backup_manifest + backup_file parts, small parts in any order)
// and JSON (backup_url, a file:// directory), and bad uploads.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postJson, startGate, type RunningGate } from '../support/gate-harness.js';
import { sha256, syntheticNativeBackup } from '../support/pg/synthetic-backup.js';

function manifestFor(backupManifest: string): string {
  return `source_db: a\ntarget_db: b\nexpected_backup_manifest_hash: sha256:${sha256(backupManifest)}\nsync_mode: async\nenv: staging\n`;
}

describe('REST T2: native pg_basebackup directories', () => {
  let gate: RunningGate;
  let root: string;
  const good = syntheticNativeBackup();
  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'mg-native-'));
    mkdirSync(path.join(root, 'good'));
    for (const [name, data] of Object.entries(good.files)) writeFileSync(path.join(root, 'good', name), data);
    gate = await startGate({ GATE_ARTIFACT_ROOT: root });
  });
  after(async () => {
    await gate.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function upload(
    parts: Array<[string, Buffer | string, string?]>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const form = new FormData();
    for (const [name, data, filename] of parts) form.append(name, new Blob([data]), filename ?? name);
    const res = await fetch(`${gate.url}/api/v1/validate/replication`, {
      method: 'POST',
      headers: gate.auth,
      body: form,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('multipart: backup_manifest before the replication manifest, tars in any order -> ALLOW', async () => {
    const res = await upload([
      ['backup_manifest', good.files['backup_manifest']!],
      ['replication_manifest', manifestFor(good.manifest)],
      ['backup_file', good.files['pg_wal.tar']!, 'pg_wal.tar'],
      ['backup_file', good.files['base.tar.gz']!, 'base.tar.gz'],
    ]);
    expect(res.body.reasons, JSON.stringify(res.body)).to.deep.equal([]);
    expect(res.status).to.equal(200);
    const steps = res.body.steps as Array<{ step: string; detail?: string }>;
    expect(steps.find((s) => s.step === 'archive')?.detail).to.contain('base.tar.gz (gzip)');
  });

  it('multipart: without pg_wal.tar the backup cannot be restored -> BLOCK [backup-wal-missing]', async () => {
    const res = await upload([
      ['replication_manifest', manifestFor(good.manifest)],
      ['backup_manifest', good.files['backup_manifest']!],
      ['backup_file', good.files['base.tar.gz']!, 'base.tar.gz'],
    ]);
    expect(res.status).to.equal(422);
    expect((res.body.reasons as string[])[0]).to.match(/^\[backup-wal-missing\]/);
  });

  it('multipart: a tar sent twice -> BLOCK [backup-file-duplicate]', async () => {
    const res = await upload([
      ['replication_manifest', manifestFor(good.manifest)],
      ['backup_manifest', good.files['backup_manifest']!],
      ['backup_file', good.files['base.tar.gz']!, 'base.tar.gz'],
      ['backup_file', good.files['base.tar.gz']!, 'base.tar.gz'],
    ]);
    expect((res.body.reasons as string[])[0]).to.match(/^\[backup-file-duplicate\]/);
  });

  it('multipart: a signature after the data is refused with a message saying to send it first', async () => {
    const res = await upload([
      ['replication_manifest', manifestFor(good.manifest)],
      ['backup_manifest', good.files['backup_manifest']!],
      ['backup_file', good.files['base.tar.gz']!, 'base.tar.gz'],
      ['signature', 'c2ln', 'replication_manifest.yaml.sig'],
    ]);
    expect(res.status).to.not.equal(200);
    expect(JSON.stringify(res.body)).to.contain('before the data parts');
  });

  it('multipart: backup_file without backup_manifest first -> 400 naming it', async () => {
    const res = await upload([
      ['replication_manifest', manifestFor(good.manifest)],
      ['backup_file', good.files['base.tar.gz']!, 'base.tar.gz'],
    ]);
    expect(res.status).to.equal(400);
    expect(String(res.body.detail)).to.contain('"backup_manifest" must come before');
  });

  it('multipart: an unknown tar name -> BLOCK [backup-file-name-invalid]', async () => {
    const res = await upload([
      ['replication_manifest', manifestFor(good.manifest)],
      ['backup_manifest', good.files['backup_manifest']!],
      ['backup_file', good.files['base.tar.gz']!, '../base.tar.gz'],
    ]);
    expect((res.body.reasons as string[])[0]).to.match(/^\[backup-file-name-invalid\]/);
  });

  it('JSON: backup_url naming the directory -> ALLOW; both snapshot_url and backup_url -> 400', async () => {
    const ok = await postJson(
      gate,
      '/api/v1/validate/replication',
      { manifest: manifestFor(good.manifest), backup_url: `file://${root}/good/` },
      gate.auth,
    );
    expect(ok.body.reasons, JSON.stringify(ok.body)).to.deep.equal([]);
    expect(ok.status).to.equal(200);
    const both = await postJson(
      gate,
      '/api/v1/validate/replication',
      {
        manifest: manifestFor(good.manifest),
        backup_url: `file://${root}/good/`,
        snapshot_url: `file://${root}/good/base.tar.gz`,
      },
      gate.auth,
    );
    expect(both.status).to.equal(400);
  });

  it('JSON: a backup_url outside the artifact root is refused like a missing one', async () => {
    const res = await postJson(
      gate,
      '/api/v1/validate/replication',
      { manifest: manifestFor(good.manifest), backup_url: 'file:///etc/' },
      gate.auth,
    );
    expect(res.status).to.not.equal(200);
    expect(JSON.stringify(res.body)).to.contain('not a file under the artifact root');
  });
});
