// The native-backup inputs in the core: the two pins of the replication
// manifest (exactly one), WAL names YAML reads as numbers, compression
// detected from the bytes, and the core's own native-backup pipeline on a
// synthetic tar-format backup (the real ones are in test/differential).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as zlib from 'node:zlib';
import { decide } from '../../../src/core/decision.js';
import { claimedCompression, detectCompression } from '../../../src/core/replication/compression.js';
import { Lz4FrameDecoder } from '../../../src/core/replication/lz4-frame.js';
import { DEFAULT_REPLICATION_LIMITS, verifyReplication } from '../../../src/core/replication/pipeline.js';
import { xxh32 } from '../../../src/core/replication/xxh32.js';
import { sha256, syntheticNativeBackup } from '../../support/pg/synthetic-backup.js';
import { gz } from '../../support/pg/tar-builder.js';
import { baselinePolicies, goodCase, manifestYaml, run } from './helpers.js';

function source(name: string, data: Buffer, chunk = 65536) {
  async function* stream(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
  }
  return { name, source: { name, size: data.length, stream: stream() } };
}

async function native(files: Record<string, Buffer>, opts: { manifestHash?: string; extra?: string } = {}) {
  const manifestBytes = files['backup_manifest']!;
  const manifest = Buffer.from(
    `source_db: a\ntarget_db: b\nexpected_backup_manifest_hash: sha256:${opts.manifestHash ?? sha256(manifestBytes)}\nsync_mode: async\nenv: staging\n${opts.extra ?? ''}`,
  );
  async function* tars() {
    for (const [name, data] of Object.entries(files))
      if (name !== 'backup_manifest') yield source(name, data);
  }
  async function* none() {
    /* no archived WAL */
  }
  const evaluation = await verifyReplication({
    manifestBytes: manifest,
    backup: { manifestBytes, files: tars() },
    wal: none(),
    keys: [],
    limits: DEFAULT_REPLICATION_LIMITS,
    policies: baselinePolicies,
  });
  const report = decide(evaluation, { requestId: 't', timestamp: '2026-01-01T00:00:00Z' });
  return { report, rules: evaluation.findings.filter((f) => f.action === 'block').map((f) => f.rule) };
}

describe('native backups in the core', () => {
  const good = syntheticNativeBackup();
  const base = goodCase().fields;

  describe('replication manifest pins', () => {
    it('neither pin: the missing field is named, with the native alternative', async () => {
      const { expected_snapshot_hash: _e, ...rest } = base;
      const { report, rules } = await run({ manifestBytes: manifestYaml(rest) });
      expect(rules).to.deep.equal(['manifest-missing-field']);
      expect(report.reasons[0]).to.contain('expected_backup_manifest_hash');
    });
    it('both pins are refused as one meaning too many', async () => {
      const { rules } = await run({
        manifestBytes: manifestYaml({ ...base, expected_backup_manifest_hash: `sha256:${'a'.repeat(64)}` }),
      });
      expect(rules).to.deep.equal(['manifest-invalid-field']);
    });
    it('an md5 backup_manifest pin is outdated', async () => {
      const { expected_snapshot_hash: _e, ...rest } = base;
      const { rules } = await run({
        manifestBytes: manifestYaml({
          ...rest,
          expected_backup_manifest_hash: 'md5:d41d8cd98f00b204e9800998ecf8427e',
        }),
      });
      expect(rules).to.include('outdated-hash-algorithm');
    });
    it('a native pin without a backup directory: backup-missing', async () => {
      const { expected_snapshot_hash: _e, ...rest } = base;
      const { rules } = await run({
        manifestBytes: manifestYaml({ ...rest, expected_backup_manifest_hash: `sha256:${'a'.repeat(64)}` }),
      });
      expect(rules).to.deep.equal(['backup-missing']);
    });
  });

  describe('WAL names YAML reads as numbers (decision: refuse, say to quote)', () => {
    const { wal_files: _w, ...noWal } = base;
    it('an unquoted all-digit WAL name is refused with the quoted spelling to use', async () => {
      const yaml = Buffer.from(
        `${manifestYaml(noWal).toString()}wal_files:\n  - name: 000000010000000000000001\n    sha256: ${'a'.repeat(64)}\n`,
      );
      const { report, rules } = await run({ manifestBytes: yaml });
      expect(rules).to.deep.equal(['manifest-invalid-field']);
      expect(report.reasons[0]).to.contain("name: '000000010000000000000001'");
    });
    it('a WAL name with hex letters is a string to YAML and is read as it is', async () => {
      const yaml = Buffer.from(
        `${manifestYaml(noWal).toString()}wal_files:\n  - name: 00000001000000000000000A\n    sha256: ${'a'.repeat(64)}\n`,
      );
      const { rules } = await run({ manifestBytes: yaml });
      expect(rules).to.not.include('manifest-invalid-field');
    });
  });

  describe('compression from the bytes', () => {
    it('detects gzip, zstd and lz4 by magic, anything else as a plain tar', () => {
      expect(detectCompression(gz(Buffer.from('x')))).to.equal('gzip');
      expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).to.equal('zstd');
      expect(detectCompression(Buffer.from([0x04, 0x22, 0x4d, 0x18]))).to.equal('lz4');
      expect(detectCompression(Buffer.from('base/1/1259'))).to.equal('none');
      expect(claimedCompression('base.tar.zst')).to.equal('zstd');
      expect(claimedCompression('base.tgz')).to.equal(undefined);
    });
    it('xxh32 matches the reference vectors', () => {
      expect(xxh32(Buffer.alloc(0))).to.equal(0x02cc5d05);
      expect(xxh32(Buffer.from('a'))).to.equal(0x550d7456);
      expect(xxh32(Buffer.from('abc'))).to.equal(0x32d153ff);
    });
    it('the lz4 decoder reads what lz4(1) writes, in any chunking, and refuses a flipped byte and a cut stream', () => {
      const data = Buffer.concat([
        Buffer.from('orders table page\n'.repeat(5000)),
        Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 0xff)),
      ]);
      for (const args of [[], ['-BD'], ['-B4', '-BX', '--content-size']]) {
        const lz = execFileSync('lz4', ['-q', '-c', ...args], { input: data });
        for (const chunk of [1 << 20, 4097, 13]) {
          const d = new Lz4FrameDecoder();
          const out: Buffer[] = [];
          for (let i = 0; i < lz.length; i += chunk) out.push(...d.push(lz.subarray(i, i + chunk)));
          d.end();
          expect(Buffer.concat(out).equals(data), `${args.join(' ')} / ${chunk}`).to.equal(true);
        }
        const cut = new Lz4FrameDecoder();
        cut.push(lz.subarray(0, lz.length - 9));
        expect(() => cut.end()).to.throw(/unexpected end/);
        const flipped = Buffer.from(lz);
        flipped[Math.floor(lz.length / 2)]! ^= 0x55;
        expect(() => {
          const f = new Lz4FrameDecoder();
          f.push(flipped);
          f.end();
        }).to.throw(/lz4/);
      }
      const trailing = new Lz4FrameDecoder();
      expect(() =>
        trailing.push(
          Buffer.concat([execFileSync('lz4', ['-q', '-c'], { input: data }), Buffer.from('garbage!')]),
        ),
      ).to.throw(/after the last frame/);
    });
  });

  describe('the native pipeline on a synthetic tar-format backup', () => {
    it('base.tar.gz + pg_wal.tar + backup_manifest: ALLOW', async () => {
      const { report } = await native(good.files);
      expect(report.reasons).to.deep.equal([]);
      expect(report.decision).to.equal('ALLOW');
    });
    it('the same backup as base.tar.zst: ALLOW on a runtime with zstd, else refused naming zstd', async () => {
      const { gunzipSync } = await import('node:zlib');
      const tar = gunzipSync(good.files['base.tar.gz']!);
      const zstdCompressSync = (zlib as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
      const hasZstd = typeof zstdCompressSync === 'function';
      const zst = hasZstd ? zstdCompressSync(tar) : execFileSync('zstd', ['-q', '-c'], { input: tar });
      const { report, rules } = await native({
        backup_manifest: good.files['backup_manifest']!,
        'base.tar.zst': zst,
        'pg_wal.tar': good.files['pg_wal.tar']!,
      });
      if (hasZstd) expect(report.reasons).to.deep.equal([]);
      else {
        expect(rules).to.deep.equal(['archive-compression-unsupported']);
        expect(report.reasons[0]).to.contain('zstd');
      }
    });
    it('a wrong compression claim: gzip bytes named base.tar.lz4', async () => {
      const { rules } = await native({
        backup_manifest: good.files['backup_manifest']!,
        'base.tar.lz4': good.files['base.tar.gz']!,
        'pg_wal.tar': good.files['pg_wal.tar']!,
      });
      expect(rules).to.deep.equal(['archive-compression-mismatch']);
    });
    it('a backup_manifest inside a tar as well: ambiguous', async () => {
      const withInner = syntheticNativeBackup({
        mutate: (f) => {
          f['backup_manifest'] = Buffer.from(good.manifest);
        },
      });
      const { rules } = await native({ ...withInner.files, backup_manifest: good.files['backup_manifest']! });
      expect(rules).to.deep.equal(['backup-manifest-ambiguous']);
    });
    it('backup_label naming another start LSN: backup-label-mismatch', async () => {
      const other = syntheticNativeBackup({
        mutate: (f) => {
          f['backup_label'] = Buffer.from(f['backup_label']!.toString().replace('0/100028', '0/100030'));
        },
      });
      const { rules } = await native({ ...other.files, backup_manifest: good.files['backup_manifest']! });
      // The label is a listed file too: its checksum no longer matches either.
      expect(rules).to.deep.equal(['backup-file-checksum-mismatch', 'backup-label-mismatch']);
    });
    it('an incremental backup (PostgreSQL 17+ backup_label) sent without its chain is refused by name: it cannot be restored alone', async () => {
      const inc = syntheticNativeBackup({
        mutate: (f) => {
          f['backup_label'] = Buffer.from(
            `${f['backup_label']!.toString()}INCREMENTAL FROM LSN: 0/50000\nINCREMENTAL FROM TLI: 1\n`,
          );
        },
      });
      const { rules, report } = await native({
        ...inc.files,
        backup_manifest: good.files['backup_manifest']!,
      });
      expect(rules).to.include('backup-chain-missing');
      expect(report.reasons.join()).to.contain('expected_prior_backup_manifest_hashes');
    });
    it('no base.tar: backup-tar-missing', async () => {
      const { rules } = await native({
        backup_manifest: good.files['backup_manifest']!,
        'pg_wal.tar': good.files['pg_wal.tar']!,
      });
      expect(rules).to.deep.equal(['backup-tar-missing']);
    });
  });
});
