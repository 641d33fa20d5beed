import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { crc32c, Crc32c } from '../../../src/core/replication/crc32c.js';
import {
  manifestChecksumRegion,
  parseBackupManifest,
  parseLsn,
} from '../../../src/core/replication/backup-manifest.js';
import { isIgnoredPath } from '../../../src/core/replication/backup-verify.js';
import { backupManifestText, syntheticBackup } from '../../support/pg/synthetic-backup.js';
import { fileEntry, gz, tar } from '../../support/pg/tar-builder.js';
import { runSnapshot } from './helpers.js';

describe('CRC-32C', () => {
  it('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).to.equal(0);
    expect(crc32c(Buffer.alloc(32))).to.equal(0x8a9136aa); // RFC 3720 B.4
  });
  it('is the same fed in pieces of any size', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
    const whole = crc32c(data);
    for (const step of [1, 3, 4, 5, 64, 999]) {
      const c = new Crc32c();
      for (let i = 0; i < data.length; i += step) c.update(data.subarray(i, i + step));
      expect(c.digest()).to.equal(whole);
    }
  });
  it('prints in PostgreSQL byte order', () => {
    expect(new Crc32c().update(Buffer.from('123456789')).digestManifestHex()).to.equal('839206e3');
  });
});

describe('backup_manifest parsing', () => {
  const files = { PG_VERSION: Buffer.from('15\n') };
  it('verifies Manifest-Checksum over everything up to the penultimate newline', () => {
    const text = backupManifestText(files);
    const region = manifestChecksumRegion(Buffer.from(text));
    expect(Buffer.from(region as Uint8Array).toString()).to.equal(
      text.slice(0, text.lastIndexOf('"Manifest-Checksum"')),
    );
    const r = parseBackupManifest(Buffer.from(text));
    expect(r.ok).to.equal(true);
    if (r.ok)
      expect(r.manifest.walRanges[0]).to.deep.equal({ timeline: 1, start: 0x100028n, end: 0x200100n });
  });
  it('detects an edited manifest', () => {
    const text = backupManifestText(files).replace('"Size": 3', '"Size": 4');
    const r = parseBackupManifest(Buffer.from(text));
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.rule).to.equal('backup-manifest-checksum-mismatch');
  });
  it('needs a final newline and the right version', () => {
    expect(parseBackupManifest(Buffer.from(backupManifestText(files).trimEnd())).ok).to.equal(false);
    const v3 = backupManifestText(files).replace(
      '"PostgreSQL-Backup-Manifest-Version": 1',
      '"PostgreSQL-Backup-Manifest-Version": 3',
    );
    expect(parseBackupManifest(Buffer.from(v3))).to.deep.include({
      ok: false,
      rule: 'backup-manifest-invalid',
    });
  });
  it('decodes Encoded-Path', () => {
    const body = `{ "PostgreSQL-Backup-Manifest-Version": 2, "System-Identifier": 1,\n"Files": [\n{ "Encoded-Path": "${Buffer.from('base/1/x').toString('hex')}", "Size": 0, "Last-Modified": "x", "Checksum-Algorithm": "NONE" }\n],\n"WAL-Ranges": [\n],\n`;
    const text = `${body}"Manifest-Checksum": "${createHash('sha256').update(body).digest('hex')}"}\n`;
    const r = parseBackupManifest(Buffer.from(text));
    expect(r.ok && r.manifest.files[0]!.path).to.equal('base/1/x');
  });
  it('parses LSNs', () => {
    expect(parseLsn('1/2000028')).to.equal(0x102000028n);
  });
  it('ignores what pg_verifybackup ignores', () => {
    for (const p of [
      'backup_manifest',
      'pg_wal',
      'pg_wal/000000010000000000000001',
      'postgresql.auto.conf',
      'standby.signal',
      'recovery.signal',
    ])
      expect(isIgnoredPath(p), p).to.equal(true);
    for (const p of ['pg_wal_x', 'base/pg_wal', 'postgresql.conf'])
      expect(isIgnoredPath(p), p).to.equal(false);
  });
});

describe('backup_manifest verification in the pipeline', () => {
  async function blocks(snapshot: Buffer, rule: string, mention?: string) {
    const { report, rules } = await runSnapshot(snapshot);
    expect(report.decision).to.equal('BLOCK');
    expect(rules, report.reasons.join('\n')).to.include(rule);
    if (mention) expect(report.reasons.join('\n')).to.contain(mention);
  }
  it('passes with SHA256 and CRC32C checksums whatever the entry order', async () => {
    for (const algorithm of ['SHA256', 'CRC32C'] as const) {
      const { report, evaluation } = await runSnapshot(syntheticBackup({ algorithm }).snapshot);
      expect(report.decision, `${algorithm}: ${report.reasons.join()}`).to.equal('ALLOW');
      expect(evaluation.steps.find((s) => s.step === 'backup-manifest')?.status).to.equal('pass');
    }
  });
  it('a tampered data file (same size)', () =>
    blocks(
      syntheticBackup({
        mutate: (f) => {
          f['base/5/16384'] = Buffer.from(f['base/5/16384']!.toString().replace('orders', 'ORDERS'));
        },
      }).snapshot,
      'backup-file-checksum-mismatch',
      'base/5/16384',
    ));
  it('a truncated data file', () =>
    blocks(
      syntheticBackup({
        mutate: (f) => {
          f['base/1/1259'] = f['base/1/1259']!.subarray(0, 10);
        },
      }).snapshot,
      'backup-file-size-mismatch',
      'base/1/1259',
    ));
  it('a missing file', () =>
    blocks(
      syntheticBackup({
        mutate: (f) => {
          delete f['global/pg_control'];
        },
      }).snapshot,
      'backup-file-missing',
      'global/pg_control',
    ));
  it('an extra file', () =>
    blocks(
      syntheticBackup({
        mutate: (f) => {
          f['base/5/99999'] = Buffer.from('x');
        },
      }).snapshot,
      'backup-file-extra',
      'base/5/99999',
    ));
  it('ignored files may differ (postgresql.auto.conf, standby.signal, pg_wal/)', async () => {
    // pg_wal/ is outside the file comparison, but a *segment* there is WAL a restore
    // would replay, so it is checked as WAL (wal.test.ts); archive_status is not.
    const s = syntheticBackup({
      mutate: (f) => {
        f['postgresql.auto.conf'] = Buffer.from('primary_conninfo = x\n');
        f['standby.signal'] = Buffer.alloc(0);
        f['pg_wal/archive_status/000000010000000000000001.done'] = Buffer.from('x');
      },
    });
    const { report } = await runSnapshot(s.snapshot);
    expect(report.decision, report.reasons.join()).to.equal('ALLOW');
  });
  it('a tampered backup_manifest', () =>
    blocks(
      syntheticBackup({ manifest: (t) => t.replace('"Size": 3', '"Size": 4') }).snapshot,
      'backup-manifest-checksum-mismatch',
    ));
  it('two backup_manifest files', () => {
    const t = syntheticBackup();
    return blocks(
      gz(tar(fileEntry('backup_manifest', t.manifest), fileEntry('other/backup_manifest', t.manifest))),
      'backup-manifest-ambiguous',
    );
  });
  it('backup_manifest in a single top-level directory; files outside it are extra', async () => {
    const b = syntheticBackup();
    const inDir = [
      ...Object.entries(b.files).map(([p, d]) => fileEntry(`data/${p}`, d)),
      fileEntry('data/backup_manifest', b.manifest),
    ];
    const ok = await runSnapshot(gz(tar(...inDir)));
    expect(ok.report.decision, ok.report.reasons.join()).to.equal('ALLOW');
    await blocks(gz(tar(...inDir, fileEntry('stray', 'x'))), 'backup-file-extra', 'stray');
  });
  it('SHA512: verified when backup_manifest comes first, reported unverifiable (never passed) when it comes last', async () => {
    const b = syntheticBackup({ algorithm: 'SHA512' });
    const first = [
      fileEntry('backup_manifest', b.manifest),
      ...Object.entries(b.files).map(([p, d]) => fileEntry(p, d)),
    ];
    const ok = await runSnapshot(gz(tar(...first)));
    expect(ok.report.decision, ok.report.reasons.join()).to.equal('ALLOW');
    await blocks(b.snapshot, 'backup-file-checksum-unverifiable', 'PG_VERSION');
  });
});
