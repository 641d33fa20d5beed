import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { runSnapshot, source, failingSource, stallingSource, run } from './helpers.js';
import {
  dirEntry,
  END,
  fileEntry,
  gnuLongName,
  gz,
  pad,
  patchHeader,
  paxEntry,
  rechecksum,
  tar,
  tarHeader,
} from '../../support/pg/tar-builder.js';
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
  it('absolute path', () =>
    blocks(gz(tar(fileEntry('/etc/passwd', 'x'))), 'archive-unsafe-path', '/etc/passwd'));
  it('.. component', () =>
    blocks(gz(tar(fileEntry('base/../../evil', 'x'))), 'archive-unsafe-path', 'base/../../evil'));
  it('backslash', () => blocks(gz(tar(fileEntry('..\\evil', 'x'))), 'archive-unsafe-path'));
  it('symlink', () =>
    blocks(
      gz(tar(tarHeader({ name: 'base/link', typeflag: '2', linkname: '/etc/shadow' }))),
      'archive-link',
      'base/link',
    ));
  it('hardlink', () =>
    blocks(
      gz(tar(fileEntry('a', 'x'), tarHeader({ name: 'b', typeflag: '1', linkname: 'a' }))),
      'archive-link',
      '"b"',
    ));
  it('character device', () =>
    blocks(gz(tar(tarHeader({ name: 'dev/null', typeflag: '3' }))), 'archive-device', 'dev/null'));
  it('block device', () =>
    blocks(gz(tar(tarHeader({ name: 'dev/sda', typeflag: '4' }))), 'archive-device', 'dev/sda'));
  it('fifo', () => blocks(gz(tar(tarHeader({ name: 'pipe', typeflag: '6' }))), 'archive-device', 'pipe'));
  it('unknown entry type', () =>
    blocks(gz(tar(tarHeader({ name: 'sparse', typeflag: 'S' }))), 'archive-unsupported-entry', 'sparse'));
  it('exact duplicate', () =>
    blocks(
      gz(tar(fileEntry('PG_VERSION', '15'), fileEntry('./PG_VERSION', '16'))),
      'archive-duplicate-entry',
      'PG_VERSION',
    ));
  it('case-insensitive duplicate', () =>
    blocks(gz(tar(fileEntry('base/A', '1'), fileEntry('base/a', '2'))), 'archive-duplicate-entry', 'base/a'));
  it('Unicode NFC/NFD alias', () =>
    blocks(gz(tar(fileEntry('caf\u00e9', '1'), fileEntry('cafe\u0301', '2'))), 'archive-duplicate-entry'));
  it('a directory and a file with the same name', () =>
    blocks(gz(tar(dirEntry('base'), fileEntry('base', 'x'))), 'archive-duplicate-entry'));
  it('PAX path override to an unsafe name', () =>
    blocks(
      gz(tar(paxEntry({ path: '../../etc/cron.d/x' }), fileEntry('harmless', 'x'))),
      'archive-unsafe-path',
      'cron.d',
    ));
  it('PAX size that disagrees with the header size', () =>
    blocks(gz(tar(paxEntry({ size: '1' }), fileEntry('f', 'xy'))), 'archive-pax-override', '"f"'));
  it('global PAX header setting a path', () =>
    blocks(gz(tar(paxEntry({ path: 'x' }, true), fileEntry('f', 'x'))), 'archive-ambiguous', 'global PAX'));
  it('a PAX path that differs from the header name (readers ignoring PAX see another file)', () =>
    blocks(
      gz(tar(paxEntry({ path: 'a/very/long/name' }), fileEntry('short', 'x'))),
      'archive-ambiguous',
      'PAX path differs',
    ));
  it('PAX records every reader applies alike (path equal to the header name, mtime) are accepted', async () => {
    const { report } = await runSnapshot(
      gz(tar(paxEntry({ path: 'short', mtime: '1700000000.5' }), fileEntry('short', 'x'))),
    );
    expect(report.decision, report.reasons.join('\n')).to.equal('ALLOW');
  });
  it('entry count over the budget', () =>
    blocks(
      gz(tar(fileEntry('a', '1'), fileEntry('b', '2'), fileEntry('c', '3'))),
      'archive-budget-exceeded',
      '"c"',
      { ...DEFAULT_REPLICATION_LIMITS, maxEntries: 2 },
    ));
  it('path longer than the limit', () =>
    blocks(gz(tar(fileEntry('x'.repeat(90), '1'))), 'archive-unsafe-path', 'longer', {
      ...DEFAULT_REPLICATION_LIMITS,
      maxPathLength: 64,
    }));
});

describe('archive structure: lies, truncation and trailing data', () => {
  const file = fileEntry('PG_VERSION', '15\n');
  it('an entry after the end-of-archive marker', () =>
    blocks(gz(Buffer.concat([file, END, fileEntry('hidden', 'x'), END])), 'archive-trailing-data'));
  it('non-zero bytes after the end marker', () =>
    blocks(gz(Buffer.concat([file, END, Buffer.from('junk'.padEnd(512, '!'))])), 'archive-trailing-data'));
  it('a tar without an end marker', () => blocks(gz(file), 'archive-truncated', 'end-of-archive'));
  it('a header whose size lies (claims more than there is)', () =>
    blocks(
      gz(Buffer.concat([tarHeader({ name: 'base/1/1259', size: 100_000 }), pad(Buffer.from('short'))])),
      'archive-truncated',
      'base/1/1259',
    ));
  it('a header whose size lies (claims less: the data is read as a header)', () =>
    blocks(
      gz(tar(tarHeader({ name: 'a', size: 10 }), pad(Buffer.alloc(2000, 0x41)))),
      'archive-corrupt',
      'checksum',
    ));
  it('a size field that is not octal', () =>
    blocks(gz(tar(tarHeader({ name: 'a', sizeField: Buffer.from('12345678901x') }))), 'archive-corrupt'));
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
  it('trailing garbage after the gzip member', () =>
    blocks(Buffer.concat([syntheticBackup().snapshot, Buffer.from('garbage')]), 'archive-trailing-data'));
  it('trailing zeros after the gzip member', () =>
    blocks(Buffer.concat([syntheticBackup().snapshot, Buffer.alloc(64)]), 'archive-trailing-data'));
  it('concatenated gzip members are one stream (accepted when the whole is a valid tar)', async () => {
    const t = syntheticBackup().tar;
    const { report } = await runSnapshot(
      Buffer.concat([gzipSync(t.subarray(0, 1000)), gzipSync(t.subarray(1000))]),
    );
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
  it('a snapshot over the uncompressed budget', () =>
    blocks(syntheticBackup().snapshot, 'archive-budget-exceeded', undefined, {
      ...DEFAULT_REPLICATION_LIMITS,
      maxUncompressedBytes: 4096,
    }));
  it('a snapshot over the compressed budget', () =>
    blocks(syntheticBackup().snapshot, 'snapshot-budget-exceeded', undefined, {
      ...DEFAULT_REPLICATION_LIMITS,
      maxCompressedBytes: 100,
    }));
  it('a stream that errors mid-way', async () => {
    const s = syntheticBackup().snapshot;
    const { report, rules } = await runSnapshot(s, { snapshot: failingSource(s, 200) });
    expect(rules).to.deep.equal(['snapshot-read-error']);
    expect(report.reasons[0]).to.contain('socket hang up');
  });
  it('a stream that stalls is stopped by the deadline', async () => {
    const s = syntheticBackup().snapshot;
    const { rules, evaluation } = await runSnapshot(s, {
      snapshot: stallingSource(s, 200),
      signal: AbortSignal.timeout(100),
    });
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
    const { rules } = await run({
      snapshot: source(
        syntheticBackup({
          mutate: (f) => {
            f['PG_VERSION'] = Buffer.from('16\n');
          },
        }).snapshot,
      ),
    });
    expect(rules).to.include('snapshot-digest-mismatch');
  });
  it('a missing snapshot', async () => {
    const { rules } = await run({ snapshot: undefined });
    expect(rules).to.deep.equal(['snapshot-missing']);
  });
});

// Issue 11, T2: archives that we ALLOWed and Python's tarfile extracted outside
// the target directory, and the rest of what the four readers parse differently.
describe('archive ambiguity: what GNU tar, bsdtar, Python and Go could read differently blocks by name', () => {
  const inner = tarHeader({ name: '../../escaped', size: 0 });
  const symlink = tarHeader({ name: 'evil', typeflag: '2', linkname: '/etc/shadow' });
  it('a regular file (typeflag NUL) whose name ends in "/" and whose data is a header', () =>
    blocks(
      gz(tar(fileEntry('base/', Buffer.concat([inner, symlink]), { typeflag: '\0' }))),
      'archive-ambiguous',
      'ends in "/"',
    ));
  it('a regular file (typeflag 0) whose name ends in "/"', () =>
    blocks(gz(tar(fileEntry('base/x/', 'x'))), 'archive-ambiguous', 'base/x/'));
  it('a GNU-magic header with "../" in the ustar prefix field', () =>
    blocks(
      gz(
        tar(
          Buffer.concat([
            patchHeader(tarHeader({ name: 'x', size: 1, format: 'gnu' }), 345, '../../tmp'),
            pad(Buffer.from('x')),
          ]),
        ),
      ),
      'archive-ambiguous',
      'prefix',
    ));
  it('a GNU-magic header with atime digits in the prefix area (Python prepends them)', () =>
    blocks(
      gz(tar(patchHeader(tarHeader({ name: 'd/', typeflag: '5', format: 'gnu' }), 345, '14000000000\0'))),
      'archive-ambiguous',
      'prefix',
    ));
  it('a PAX header block with an unsafe name of its own', () => {
    const pax = paxEntry({ mtime: '1' });
    return blocks(
      gz(
        tar(
          Buffer.concat([patchHeader(pax, 0, '../../pax\0\0\0\0\0\0\0'), pax.subarray(512)]),
          fileEntry('f', 'x'),
        ),
      ),
      'archive-unsafe-path',
      '../../pax',
    );
  });
  it('a GNU long-name block with an absolute name of its own', () => {
    const l = gnuLongName('a/long/name');
    return blocks(
      gz(
        tar(
          Buffer.concat([patchHeader(l, 0, '/etc/cron.d/x\0'), l.subarray(512)]),
          fileEntry('a/long/name', 'x'),
        ),
      ),
      'archive-unsafe-path',
      '/etc/cron.d/x',
    );
  });
  it('an extension block named like a directory', () => {
    const pax = paxEntry({ mtime: '1' });
    return blocks(
      gz(tar(Buffer.concat([patchHeader(pax, 0, 'PaxHeader/\0'), pax.subarray(512)]), fileEntry('f', 'x'))),
      'archive-ambiguous',
      'directory-like',
    );
  });
  it('a GNU long link name (K)', () =>
    blocks(
      gz(tar(Buffer.concat([patchHeader(gnuLongName('t'), 156, 'K')]), fileEntry('f', 'x'))),
      'archive-ambiguous',
      'long link',
    ));
  it('a GNU long name whose header name is another file', () =>
    blocks(
      gz(tar(gnuLongName('base/real'), fileEntry('other', 'x'))),
      'archive-ambiguous',
      'does not start with',
    ));
  it('a GNU long name without its terminating NUL', () =>
    blocks(
      gz(tar(gnuLongName('', Buffer.from('abc')), fileEntry('abc', 'x'))),
      'archive-ambiguous',
      'exactly one NUL',
    ));
  it('a GNU long name with bytes after its NUL', () =>
    blocks(
      gz(tar(gnuLongName('', Buffer.from('abc\0../x\0')), fileEntry('abc', 'x'))),
      'archive-ambiguous',
      'exactly one NUL',
    ));
  it('a GNU long name and a PAX header for one entry', () =>
    blocks(
      gz(tar(gnuLongName('f'), paxEntry({ mtime: '1' }), fileEntry('f', 'x'))),
      'archive-ambiguous',
      'GNU long name',
    ));
  it('a GNU long name accepted when the header carries its (truncated) prefix', async () => {
    const long = `base/${'d'.repeat(120)}`;
    const h = patchHeader(tarHeader({ name: 'x', size: 1, format: 'gnu' }), 0, long.slice(0, 100));
    const { report } = await runSnapshot(gz(tar(gnuLongName(long), h, pad(Buffer.from('x')))));
    expect(report.decision, report.reasons.join('\n')).to.equal('ALLOW');
  });
  it('a name field of 100 bytes with no NUL and no long name', () =>
    blocks(
      gz(tar(patchHeader(tarHeader({ name: 'x', typeflag: '5' }), 0, 'd'.repeat(100)))),
      'archive-ambiguous',
      'terminating NUL',
    ));
  it('bytes after the NUL of a name ("a\0../../x")', () =>
    blocks(
      gz(tar(patchHeader(tarHeader({ name: 'a' }), 0, 'a\0../../x'))),
      'archive-ambiguous',
      'after its terminating NUL',
    ));
  it('bytes after the NUL of the ustar prefix', () =>
    blocks(gz(tar(patchHeader(tarHeader({ name: 'a' }), 345, 'p\0../x'))), 'archive-ambiguous', 'prefix'));
  it('a base-256 size', () => {
    const f = Buffer.alloc(12);
    f[0] = 0x80;
    f[11] = 1;
    return blocks(
      gz(tar(tarHeader({ name: 'a', sizeField: f }), pad(Buffer.from('x')))),
      'archive-ambiguous',
      'base-256',
    );
  });
  it('a size with digits after a NUL ("1\0 7")', () =>
    blocks(
      gz(
        tar(
          tarHeader({ name: 'a', sizeField: Buffer.from('1\0 7\0\0\0\0\0\0\0\0', 'latin1') }),
          pad(Buffer.from('x')),
        ),
      ),
      'archive-corrupt',
      'octal',
    ));
  it('a mode that is not plain octal', () =>
    blocks(gz(tar(patchHeader(tarHeader({ name: 'a' }), 100, '06x4\0'))), 'archive-ambiguous', 'mode'));
  it('a setuid mode', () =>
    blocks(gz(tar(tarHeader({ name: 'a', mode: 0o4755 }))), 'archive-ambiguous', 'setuid'));
  it('a uid with junk after the NUL', () =>
    blocks(gz(tar(patchHeader(tarHeader({ name: 'a' }), 108, '000\0zz\0'))), 'archive-ambiguous', 'uid'));
  it('an mtime in base-256', () =>
    blocks(
      gz(
        tar(patchHeader(tarHeader({ name: 'a' }), 136, Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))),
      ),
      'archive-ambiguous',
      'mtime',
    ));
  it('a checksum that matches only the signed-char sum', () => {
    const h = tarHeader({ name: 'caf\u00e9', size: 0 });
    return blocks(gz(tar(rechecksum(h, true))), 'archive-ambiguous', 'signed-char');
  });
  it('an old-style V7 header (no magic)', () =>
    blocks(gz(tar(patchHeader(tarHeader({ name: 'a' }), 257, Buffer.alloc(8)))), 'archive-corrupt', 'V7'));
  it('the star trailer in the header padding (Go reads another prefix)', () =>
    blocks(gz(tar(patchHeader(tarHeader({ name: 'a' }), 508, 'tar\0'))), 'archive-ambiguous', 'star'));
  it('a contiguous file (typeflag 7)', () =>
    blocks(gz(tar(fileEntry('a', 'x', { typeflag: '7' }))), 'archive-unsupported-entry', '"7"'));
  it('a GNU sparse file (typeflag S)', () =>
    blocks(gz(tar(tarHeader({ name: 's', typeflag: 'S', format: 'gnu' }))), 'archive-unsupported-entry'));
  it('a directory that declares data', () =>
    blocks(
      gz(tar(tarHeader({ name: 'd/', typeflag: '5', size: 512 }), Buffer.alloc(512))),
      'archive-ambiguous',
      'declares 512',
    ));
  it('a regular file with a link name', () =>
    blocks(gz(tar(fileEntry('a', 'x', { linkname: '/etc/shadow' }))), 'archive-ambiguous', 'link name'));
  it('a file used as a directory, in either order (found by the differential fuzz)', async () => {
    await blocks(
      gz(tar(fileEntry('base', 'x'), fileEntry('base/1/1259', 'y'))),
      'archive-ambiguous',
      'which the archive makes a file',
    );
    await blocks(
      gz(tar(fileEntry('base/1/1259', 'y'), fileEntry('base/1', 'x'))),
      'archive-ambiguous',
      'use it as a directory',
    );
  });
  it('"a//b" and "a/./b"', async () => {
    await blocks(gz(tar(fileEntry('a//b', 'x'))), 'archive-ambiguous', 'a//b');
    await blocks(gz(tar(fileEntry('a/./b', 'x'))), 'archive-ambiguous', 'a/./b');
  });
  it('a leading "./" (tar -C dir .) is what everyone writes and is accepted', async () => {
    const { report } = await runSnapshot(
      gz(tar(dirEntry('./'), dirEntry('./base'), fileEntry('./base/x', 'x'))),
    );
    expect(report.decision, report.reasons.join('\n')).to.equal('ALLOW');
  });
  it('a PAX linkpath, xattr or hdrcharset key', async () => {
    await blocks(
      gz(tar(paxEntry({ linkpath: '/etc/shadow' }), fileEntry('f', 'x'))),
      'archive-ambiguous',
      'linkpath',
    );
    await blocks(
      gz(tar(paxEntry({ 'SCHILY.xattr.security.capability': 'x' }), fileEntry('f', 'x'))),
      'archive-ambiguous',
      'SCHILY',
    );
    await blocks(
      gz(tar(paxEntry({ hdrcharset: 'BINARY' }), fileEntry('f', 'x'))),
      'archive-ambiguous',
      'hdrcharset',
    );
  });
  it('PAX uid or mtime that is not a number (found by the differential fuzz)', async () => {
    await blocks(
      gz(tar(paxEntry({ uid: 'x'.repeat(40) }), fileEntry('f', 'x'))),
      'archive-ambiguous',
      'PAX uid',
    );
    await blocks(
      gz(tar(paxEntry({ mtime: 'BINARY' }), fileEntry('f', 'x'))),
      'archive-ambiguous',
      'PAX mtime',
    );
  });
  it('a PAX size set on a header of size 0 (readers ignoring PAX read the data as headers)', () =>
    blocks(
      gz(tar(paxEntry({ size: '512' }), tarHeader({ name: 'f', size: 0 }), Buffer.alloc(512, 0x41))),
      'archive-pax-override',
      '"f"',
    ));
  it('NUL padding after the PAX records (Go refuses, Python ignores)', () => {
    const body = Buffer.from('11 mtime=1\n\0\0\0\0');
    const pax = Buffer.concat([
      tarHeader({ name: 'PaxHeader', size: body.length, typeflag: 'x' }),
      pad(body),
    ]);
    return blocks(gz(tar(pax, fileEntry('f', 'x'))), 'archive-ambiguous', 'NUL bytes after the PAX records');
  });
  it('a PAX record that is not UTF-8', () => {
    const body = Buffer.concat([Buffer.from('10 path='), Buffer.from([0xff]), Buffer.from('\n')]);
    const pax = Buffer.concat([
      tarHeader({ name: 'PaxHeader', size: body.length, typeflag: 'x' }),
      pad(body),
    ]);
    return blocks(gz(tar(pax, fileEntry('f', 'x'))), 'archive-ambiguous', 'UTF-8');
  });
});
