import { expect } from 'chai';
import {
  parseWalName,
  segmentNumber,
  segmentStartLsn,
  walFileName,
  segmentOf,
  isValidSegmentSize,
} from '../../../src/core/replication/wal-name.js';
import { findGaps, uncoveredRanges } from '../../../src/core/replication/wal-sequence.js';
import { sha256, walName, walSegment } from '../../support/pg/synthetic-backup.js';
import { goodCase, run, walFiles, stallingSource } from './helpers.js';

const MiB = 1024 * 1024;

describe('WAL names and segment arithmetic', () => {
  it('parses the four kinds of names', () => {
    expect(parseWalName('000000010000000A000000FF')).to.deep.equal({
      kind: 'segment',
      timeline: 1,
      hi: 10,
      lo: 255,
      partial: false,
    });
    expect(parseWalName('000000020000000000000003.partial')).to.include({ kind: 'segment', partial: true });
    expect(parseWalName('000000010000000000000002.00000028.backup')).to.include({
      kind: 'backup',
      offset: 0x28,
    });
    expect(parseWalName('00000002.history')).to.deep.equal({ kind: 'history', timeline: 2 });
  });
  it('refuses everything else', () => {
    for (const n of [
      '../../etc/passwd',
      '000000010000000000000001/../x',
      '00000001000000000000000g',
      '000000010000000000000001.gz',
      'pg_wal/000000010000000000000001',
      '000000010000000000000001 ',
      '0000000100000000000000011',
    ]) {
      expect(parseWalName(n), n).to.equal(undefined);
    }
  });
  it('numbers segments by segment size', () => {
    expect(segmentNumber(0, 0xff, 16 * MiB)).to.equal(0xffn);
    expect(segmentNumber(1, 0, 16 * MiB)).to.equal(0x100n);
    expect(segmentNumber(0, 0x100, 16 * MiB)).to.equal(undefined);
    expect(segmentNumber(1, 0, MiB)).to.equal(4096n);
    expect(segmentNumber(0, 0xfff, MiB)).to.equal(4095n);
    expect(walFileName(1, 0x100n, 16 * MiB)).to.equal('000000010000000100000000');
    expect(walFileName(3, 4097n, MiB)).to.equal('000000030000000100000001');
    expect(segmentStartLsn(0x100n, 16 * MiB)).to.equal(0x100000000n);
    expect(segmentOf(0x2000028n, 16 * MiB)).to.equal(2n);
    expect(isValidSegmentSize(MiB)).to.equal(true);
    expect(isValidSegmentSize(3 * MiB)).to.equal(false);
  });
  it('finds gaps across the xlogid boundary, per timeline', () => {
    const segs = [0xfen, 0x101n].map((segno) => ({ timeline: 1, segno }));
    expect(findGaps(segs, 16 * MiB)).to.deep.equal(['0000000100000000000000FF', '000000010000000100000000']);
    expect(
      findGaps(
        [
          { timeline: 1, segno: 1n },
          { timeline: 2, segno: 3n },
        ],
        16 * MiB,
      ),
    ).to.deep.equal([]);
  });
  it('computes coverage of WAL-Ranges, End-LSN exclusive', () => {
    const segs = [{ timeline: 1, segno: 2n }];
    expect(
      uncoveredRanges([{ timeline: 1, start: 0x2000028n, end: 0x3000000n }], segs, 16 * MiB),
    ).to.deep.equal([]);
    expect(
      uncoveredRanges([{ timeline: 1, start: 0x2000028n, end: 0x3000001n }], segs, 16 * MiB)[0],
    ).to.contain('000000010000000000000003');
    expect(
      uncoveredRanges([{ timeline: 2, start: 0x2000028n, end: 0x2000100n }], segs, 16 * MiB),
    ).to.have.length(1);
  });
});

describe('WAL verification in the pipeline', () => {
  const g = goodCase();
  const seg3 = { name: walName(1, 3), data: walSegment(1, 3) };

  async function blocks(over: Parameters<typeof run>[0], rule: string, mention?: string) {
    const { report, rules } = await run(over);
    expect(report.decision).to.equal('BLOCK');
    expect(rules, report.reasons.join('\n')).to.include(rule);
    if (mention) expect(report.reasons.join('\n')).to.contain(mention);
    return report;
  }

  it('a WAL part named ../../etc/passwd', () =>
    blocks(
      { walList: [...g.wal, { name: '../../etc/passwd', data: Buffer.from('root:x:0:0') }] },
      'wal-invalid-name',
      '../../etc/passwd',
    ));
  it('a listed segment that was not received', () =>
    blocks({ walList: [g.wal[0]!] }, 'wal-missing', g.wal[1]!.name));
  it('an unlisted segment', () => blocks({ walList: [...g.wal, seg3] }, 'wal-unlisted', seg3.name));
  it('a received duplicate', () => blocks({ walList: [...g.wal, g.wal[1]!] }, 'wal-duplicate'));
  it('a digest mismatch', () => {
    const bad = Buffer.from(g.wal[1]!.data);
    bad[5000] = 1;
    return blocks(
      { walList: [g.wal[0]!, { name: g.wal[1]!.name, data: bad }] },
      'wal-digest-mismatch',
      g.wal[1]!.name,
    );
  });
  it('a size mismatch', () =>
    blocks(
      { walList: [g.wal[0]!, { name: g.wal[1]!.name, data: g.wal[1]!.data.subarray(0, 1000) }] },
      'wal-size-mismatch',
    ));
  it('a gap in the sequence', async () => {
    const wal = [g.wal[0]!, seg3];
    const fields = { ...g.fields, wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data) })) };
    await blocks({ fields, walList: wal }, 'wal-gap', walName(1, 2));
  });
  it('a segment renamed to fill a gap (page address contradicts the name)', async () => {
    const fake = { name: walName(1, 2), data: walSegment(1, 3) };
    const wal = [g.wal[0]!, fake];
    const fields = { ...g.fields, wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data) })) };
    await blocks({ fields, walList: wal }, 'wal-header-mismatch', 'page address');
  });
  it('a segment that is not WAL (bad magic)', async () => {
    const wal = [g.wal[0]!, { name: g.wal[1]!.name, data: walSegment(1, 2, { magic: 0x1234 }) }];
    const fields = { ...g.fields, wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data) })) };
    await blocks({ fields, walList: wal }, 'wal-header-mismatch', 'magic');
  });
  it('WAL not covering the backup: it cannot be restored, a BLOCK whatever sync_mode says', async () => {
    const wal = [g.wal[0]!];
    const fields = { ...g.fields, wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data) })) };
    for (const sync_mode of ['sync', 'async']) {
      const { report, evaluation } = await run({ fields: { ...fields, sync_mode }, walList: wal });
      expect(report.decision).to.equal('BLOCK');
      expect(evaluation.findings.map((f) => f.rule)).to.include('backup-wal-missing');
      expect(report.reasons.join()).to.contain(g.wal[1]!.name);
    }
  });
  it('async mode with no WAL at all (a -X none backup) is a BLOCK: backup-wal-missing, not "0 WAL files, not covering"', async () => {
    const { wal_files: _w, ...rest } = g.fields;
    const { report, evaluation } = await run({ fields: { ...rest, sync_mode: 'async' }, walList: [] });
    expect(report.decision).to.equal('BLOCK');
    expect(evaluation.findings.map((f) => f.rule)).to.deep.equal(['backup-wal-missing']);
    expect(report.reasons[0]).to.contain('cannot be restored to consistency');
  });
  it('a segment from another cluster (page header system identifier) is refused', async () => {
    const wal = [g.wal[0]!, { name: g.wal[1]!.name, data: walSegment(1, 2, { systemId: 1234n }) }];
    const fields = { ...g.fields, wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data) })) };
    await blocks({ fields, walList: wal }, 'wal-system-id-mismatch', '1234');
  });
  it('a segment whose later pages are not WAL cannot restore the range it is needed for', async () => {
    const bad = walSegment(1, 1);
    bad.fill(0, 5 * 8192);
    const wal = [{ name: g.wal[0]!.name, data: bad }, g.wal[1]!];
    const fields = { ...g.fields, wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data) })) };
    await blocks({ fields, walList: wal }, 'backup-wal-missing', 'valid pages only through byte 40960');
  });
  it('too many WAL files', async () => {
    const { DEFAULT_REPLICATION_LIMITS } = await import('../../../src/core/replication/limits.js');
    await blocks({ limits: { ...DEFAULT_REPLICATION_LIMITS, maxWalFiles: 1 } }, 'wal-budget-exceeded');
  });
  it('a WAL stream that stalls is stopped by the deadline', async () => {
    async function* stalled() {
      yield { name: g.wal[0]!.name, source: stallingSource(g.wal[0]!.data, 100) };
    }
    await blocks({ wal: stalled(), signal: AbortSignal.timeout(150) }, 'deadline-exceeded');
  });
  it('a WAL iterable that errors mid-way', async () => {
    async function* broken() {
      yield* walFiles([g.wal[0]!]);
      throw new Error('multipart stream ended unexpectedly');
    }
    const r = await run({ wal: broken() });
    expect(r.report.decision).to.equal('BLOCK');
    expect(r.evaluation.steps.find((s) => s.step === 'wal')?.status).to.equal('fail');
  });
});
