import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { runSnapshot, source, failingSource, stallingSource, run } from './helpers.js';
import { dirEntry, END, fileEntry, gz, pad, paxEntry, tar, tarHeader } from '../../support/pg/tar-builder.js';
import { syntheticBackup } from '../../support/pg/synthetic-backup.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../../src/core/replication/limits.js';

async function blocks(snapshot: Buffer, rule: string, mention?: string, limits = DEFAULT_REPLICATION_LIMITS) {
  const { report, rules, evaluation } = await runSnapshot(snapshot, { limits });
  expect(report.decision).to.equal('BLOCK');
  expect(rules, report.reasons.join('\n')).to.include(rule);
  if (mention) expect(report.reasons.join('\n')).to.contain(mention);
  expect(evaluation.steps.map((s) => s.status)).to.not.include(undefined);
  return report;
}

describe('archive safety: each unsafe entry blocks and is named', () => {
  it('absolute path', () => blocks(gz(tar(fileEntry('/etc/passwd', 'x'))), 'archive-unsafe-path', '/etc/passwd'));
  it('.. component', () => blocks(gz(tar(fileEntry('base/../../evil', 'x'))), 'archive-unsafe-path', 'base/../../evil'));
  it('backslash', () => blocks(gz(tar(fileEntry('..\\evil', 'x'))), 'archive-unsafe-path'));
  it('symlink', () => blocks(gz(tar(tarHeader({ name: 'base/link', typeflag: '2', linkname: '/etc/shadow' }))), 'archive-link', 'base/link'));
  it('hardlink', () => blocks(gz(tar(fileEntry('a', 'x'), tarHeader({ name: 'b', typeflag: '1', linkname: 'a' }))), 'archive-link', '"b"'));
  it('character device', () => blocks(gz(tar(tarHeader({ name: 'dev/null', typeflag: '3' }))), 'archive-device', 'dev/null'));
  it('block device', () => blocks(gz(tar(tarHeader({ name: 'dev/sda', typeflag: '4' }))), 'archive-device', 'dev/sda'));
  it('fifo', () => blocks(gz(tar(tarHeader({ name: 'pipe', typeflag: '6' }))), 'archive-device', 'pipe'));
  it('unknown entry type', () => blocks(gz(tar(tarHeader({ name: 'sparse', typeflag: 'S' }))), 'archive-unsupported-entry', 'sparse'));
  it('exact duplicate', () => blocks(gz(tar(fileEntry('PG_VERSION', '15'), fileEntry('./PG_VERSION', '16'))), 'archive-duplicate-entry', 'PG_VERSION'));
  it('case-insensitive duplicate', () => blocks(gz(tar(fileEntry('base/A', '1'), fileEntry('base/a', '2'))), 'archive-duplicate-entry', 'base/a'));
  it('Unicode NFC/NFD alias', () => blocks(gz(tar(fileEntry('caf\u00e9', '1'), fileEntry('cafe\u0301', '2'))), 'archive-duplicate-entry'));
  it('a directory and a file with the same name', () => blocks(gz(tar(dirEntry('base'), fileEntry('base', 'x'))), 'archive-duplicate-entry'));
  it('PAX path override to an unsafe name', () => blocks(gz(tar(paxEntry({ path: '../../etc/cron.d/x' }), fileEntry('harmless', 'x'))), 'archive-unsafe-path', 'cron.d'));
  it('PAX size that disagrees with the header size', () => blocks(gz(tar(paxEntry({ size: '1' }), fileEntry('f', 'xy'))), 'archive-pax-override', '"f"'));
  it('global PAX header setting a path', () => blocks(gz(tar(paxEntry({ path: 'x' }, true), fileEntry('f', 'x'))), 'archive-pax-override'));
  it('PAX path applied when safe, and the file counted under its PAX name', async () => {
    const { report } = await runSnapshot(gz(tar(paxEntry({ path: 'a/very/long/name' }), fileEntry('short', 'x'))));
    expect(report.decision).to.equal('ALLOW');
  });
  it('entry count over the budget', () => blocks(gz(tar(fileEntry('a', '1'), fileEntry('b', '2'), fileEntry('c', '3'))), 'archive-budget-exceeded', '"c"', { ...DEFAULT_REPLICATION_LIMITS, maxEntries: 2 }));
  it('path longer than the limit', () => blocks(gz(tar(fileEntry('x'.repeat(90), '1'))), 'archive-unsafe-path', 'longer', { ...DEFAULT_REPLICATION_LIMITS, maxPathLength: 64 }));
});

describe('archive structure: lies, truncation and trailing data', () => {
  const file = fileEntry('PG_VERSION', '15\n');
  it('an entry after the end-of-archive marker', () => blocks(gz(Buffer.concat([file, END, fileEntry('hidden', 'x'), END])), 'archive-trailing-data'));
  it('non-zero bytes after the end marker', () => blocks(gz(Buffer.concat([file, END, Buffer.from('junk'.padEnd(512, '!'))])), 'archive-trailing-data'));
  it('a tar without an end marker', () => blocks(gz(file), 'archive-truncated', 'end-of-archive'));
  it('a header whose size lies (claims more than there is)', () => blocks(
    gz(Buffer.concat([tarHeader({ name: 'base/1/1259', size: 100_000 }), pad(Buffer.from('short'))])), 'archive-truncated', 'base/1/1259'));
  it('a header whose size lies (claims less: the data is read as a header)', () => blocks(
    gz(tar(tarHeader({ name: 'a', size: 10 }), pad(Buffer.alloc(2000, 0x41)))), 'archive-corrupt', 'checksum'));
  it('a size field that is not octal', () => blocks(gz(tar(tarHeader({ name: 'a', sizeField: Buffer.from('12345678901x') }))), 'archive-corrupt'));
  it('a bad header checksum', () => {
    const h = tarHeader({ name: 'a', size: 0 });
    h[0] = 0x62;
    return blocks(gz(tar(h)), 'archive-corrupt', 'checksum');
  });
  it('not gzip at all', () => blocks(Buffer.from('this is not gzip'), 'archive-corrupt', 'gzip'));
  it('corrupted gzip (flipped bytes in the deflate stream)', () => {
    const g = Buffer.from(syntheticBackup().snapshot);
    for (let i = 40; i < 60; i++) g[i] = g[i]! ^ 0x5a;
    return blocks(g, 'archive-corrupt');
  });
  it('truncated gzip', () => {
    const g = syntheticBackup().snapshot;
    return blocks(g.subarray(0, g.length - 100), 'archive-truncated');
  });
  it('trailing garbage after the gzip member', () => blocks(Buffer.concat([syntheticBackup().snapshot, Buffer.from('garbage')]), 'archive-trailing-data'));
  it('trailing zeros after the gzip member', () => blocks(Buffer.concat([syntheticBackup().snapshot, Buffer.alloc(64)]), 'archive-trailing-data'));
  it('concatenated gzip members are one stream (accepted when the whole is a valid tar)', async () => {
    const t = syntheticBackup().tar;
    const { report } = await runSnapshot(Buffer.concat([gzipSync(t.subarray(0, 1000)), gzipSync(t.subarray(1000))]));
    expect(report.decision, report.reasons.join('\n')).to.equal('ALLOW');
  });
});

describe('budgets, bombs, broken and stalled streams', () => {
  it('a 1:1000 gzip bomb blocks early without inflating it all', async () => {
    const huge = Buffer.alloc(64 * 1024 * 1024);
    const bomb = gz(tar(tarHeader({ name: 'zeros', size: huge.length }), huge));
    expect(huge.length / bomb.length).to.be.greaterThan(500);
    const r = await blocks(bomb, 'archive-gzip-bomb', 'zeros');
    expect(r.reasons.join()).to.match(/stopped inflating/);
  });
  it('a snapshot over the uncompressed budget', () => blocks(syntheticBackup().snapshot, 'archive-budget-exceeded', undefined,
    { ...DEFAULT_REPLICATION_LIMITS, maxUncompressedBytes: 4096 }));
  it('a snapshot over the compressed budget', () => blocks(syntheticBackup().snapshot, 'snapshot-budget-exceeded', undefined,
    { ...DEFAULT_REPLICATION_LIMITS, maxCompressedBytes: 100 }));
  it('a stream that errors mid-way', async () => {
    const s = syntheticBackup().snapshot;
    const { report, rules } = await runSnapshot(s, { snapshot: failingSource(s, 200) });
    expect(rules).to.deep.equal(['snapshot-read-error']);
    expect(report.reasons[0]).to.contain('socket hang up');
  });
  it('a stream that stalls is stopped by the deadline', async () => {
    const s = syntheticBackup().snapshot;
    const { rules, evaluation } = await runSnapshot(s, { snapshot: stallingSource(s, 200), signal: AbortSignal.timeout(100) });
    expect(rules).to.deep.equal(['deadline-exceeded']);
    expect(evaluation.steps.find((x) => x.step === 'snapshot')?.status).to.equal('fail');
  });
  it('an aborted signal blocks before reading', async () => {
    const c = new AbortController();
    c.abort();
    const { rules } = await run({ signal: c.signal });
    expect(rules).to.deep.equal(['verification-aborted']);
  });
  it('a snapshot digest mismatch', async () => {
    const { rules } = await run({ snapshot: source(syntheticBackup({ mutate: (f) => { f['PG_VERSION'] = Buffer.from('16\n'); } }).snapshot) });
    expect(rules).to.include('snapshot-digest-mismatch');
  });
  it('a missing snapshot', async () => {
    const { rules } = await run({ snapshot: undefined });
    expect(rules).to.deep.equal(['snapshot-missing']);
  });
});
