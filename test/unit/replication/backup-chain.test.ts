// Incremental chains in the core, without a cluster: the INCREMENTAL.*
// header parser fed in every chunking, each chain rule on hand-made links,
// and the timeline-switch refusal (the prior's WAL running past the point
// where the later link's history left its timeline). The real chains are in
// test/differential/incremental-chain.test.ts.
import { expect } from 'chai';
import {
  chainFindings,
  chainTimelineFindings,
  type ChainLink,
} from '../../../src/core/replication/backup-chain.js';
import { parseBackupLabel } from '../../../src/core/replication/backup-identity.js';
import { parseLsn } from '../../../src/core/replication/backup-manifest.js';
import {
  BLCKSZ,
  IncrementalHeaderScan,
  INCREMENTAL_MAGIC,
  incrementalTarget,
  RELSEG_SIZE,
} from '../../../src/core/replication/incremental-file.js';
import type { IncrementalRecord } from '../../../src/core/replication/snapshot-walker.js';

function incrementalFile(
  blocks: number[],
  opts: { truncation?: number; count?: number; magic?: number } = {},
): Buffer {
  const raw = 12 + 4 * blocks.length;
  const header = blocks.length > 0 ? Math.ceil(raw / BLCKSZ) * BLCKSZ : raw;
  const b = Buffer.alloc(header + blocks.length * BLCKSZ, 0x5a);
  b.fill(0, 0, header);
  b.writeUInt32LE(opts.magic ?? INCREMENTAL_MAGIC, 0);
  b.writeUInt32LE(opts.count ?? blocks.length, 4);
  b.writeUInt32LE(opts.truncation ?? 10, 8);
  blocks.forEach((n, i) => b.writeUInt32LE(n, 12 + 4 * i));
  return b;
}

function scan(
  bytes: Buffer,
  chunk = bytes.length,
  path = 'base/5/INCREMENTAL.16384',
): ReturnType<IncrementalHeaderScan['finish']> {
  const s = new IncrementalHeaderScan(path);
  for (let i = 0; i < bytes.length; i += chunk) s.update(bytes.subarray(i, i + chunk));
  return s.finish();
}

describe('INCREMENTAL.* headers', () => {
  it('reads a file with no blocks (12 bytes) and one with blocks (padded header), in any chunking', () => {
    for (const chunk of [1, 3, 7, 4096, 1 << 20]) {
      expect(scan(incrementalFile([]), chunk)).to.deep.include({ blocks: 0, truncationBlockLength: 10 });
      expect(scan(incrementalFile([0, 5, 9]), chunk)).to.deep.include({ blocks: 3 });
    }
  });
  it('a header whose block list fills more than one page is padded to the next page', () => {
    const blocks = Array.from({ length: 3000 }, (_, i) => i * 2);
    expect(scan(incrementalFile(blocks), 1000)).to.deep.include({ blocks: 3000 });
  });
  const bad: [string, Buffer, string][] = [
    ['a bad magic number', incrementalFile([1], { magic: 0xd3ae1f0c }), 'bad magic number 0xd3ae1f0c'],
    ['a block count above RELSEG_SIZE', incrementalFile([], { count: RELSEG_SIZE + 1 }), 'block count'],
    [
      'a truncation length above RELSEG_SIZE',
      incrementalFile([], { truncation: RELSEG_SIZE + 1 }),
      'truncation block length',
    ],
    ['a block number outside the segment', incrementalFile([1, RELSEG_SIZE]), 'outside a relation segment'],
    ['a repeated block number', incrementalFile([4, 4]), 'not strictly ascending (4 after 4)'],
    ['descending block numbers', incrementalFile([7, 2]), 'not strictly ascending (2 after 7)'],
    ['fewer than 12 bytes', incrementalFile([]).subarray(0, 11), 'shorter than the 12-byte header'],
    [
      'a cut inside the block list',
      incrementalFile([1, 2, 3]).subarray(0, 18),
      'truncated inside the block list',
    ],
    ['a block cut short', incrementalFile([1, 2]).subarray(0, BLCKSZ * 3 - 1), 'a block is cut short'],
    [
      'bytes after the last block',
      Buffer.concat([incrementalFile([1]), Buffer.alloc(1)]),
      'bytes after the last block',
    ],
    [
      'a header not padded to BLCKSZ',
      Buffer.concat([incrementalFile([]).subarray(0, 12), Buffer.alloc(4), Buffer.alloc(BLCKSZ)]),
      'bytes after the last block',
    ],
  ];
  for (const [what, bytes, says] of bad) {
    it(`refuses ${what}`, () => {
      for (const chunk of [1, 5, bytes.length])
        expect(scan(bytes, chunk)).to.be.a('string').that.contains(says);
    });
  }
  it('refuses a block count claiming more blocks than the file holds (the next numbers are the padding)', () => {
    const b = incrementalFile([1, 2]);
    b.writeUInt32LE(3, 4);
    expect(scan(b)).to.contain('not strictly ascending');
  });
  it('refuses a name that is not a relation file name, and maps one that is', () => {
    expect(scan(incrementalFile([]), 12, 'base/5/INCREMENTAL.x')).to.contain('not INCREMENTAL.<relfilenode>');
    expect(incrementalTarget('base/5/INCREMENTAL.16384_vm.2')).to.equal('base/5/16384_vm.2');
    expect(incrementalTarget('global/INCREMENTAL.1262')).to.equal('global/1262');
    expect(incrementalTarget('base/5/INCREMENTAL.16384_foo')).to.equal(undefined);
    expect(incrementalTarget('base/5/INCREMENTAL.016384')).to.equal(undefined);
  });
});

describe('backup_label of an incremental backup', () => {
  const label = 'START WAL LOCATION: 0/E00028 (file 00000001000000000000000E)\nSTART TIMELINE: 1\n';
  it('reads INCREMENTAL FROM LSN and TLI together', () => {
    const l = parseBackupLabel(
      Buffer.from(`${label}INCREMENTAL FROM LSN: 0/C00028\nINCREMENTAL FROM TLI: 1\n`),
    );
    expect(l).to.deep.include({ incrementalFrom: { lsn: parseLsn('0/C00028'), timeline: 1 } });
  });
  it('refuses one without the other, either twice, or a malformed value', () => {
    for (const extra of [
      'INCREMENTAL FROM LSN: 0/C00028\n',
      'INCREMENTAL FROM TLI: 1\n',
      'INCREMENTAL FROM LSN: 0/C00028\nINCREMENTAL FROM LSN: 0/C00028\nINCREMENTAL FROM TLI: 1\n',
      'INCREMENTAL FROM LSN: 0/C00028\nINCREMENTAL FROM TLI: 0\n',
      'INCREMENTAL FROM LSN: C00028\nINCREMENTAL FROM TLI: 1\n',
    ])
      expect(parseBackupLabel(Buffer.from(label + extra)), extra).to.be.a('string');
  });
});

function link(
  name: string,
  start: string,
  opts: {
    from?: [string, number];
    tli?: number;
    end?: string;
    files?: string[];
    incrementals?: IncrementalRecord[];
    systemId?: bigint;
  } = {},
): ChainLink {
  const tli = opts.tli ?? 1;
  return {
    name,
    manifest: {
      version: 2,
      systemId: opts.systemId ?? 7n,
      files: (opts.files ?? ['base/5/16384']).map((path) => ({ path, size: 0 })),
      walRanges: [{ timeline: tli, start: parseLsn(start), end: parseLsn(opts.end ?? start) + 0x100n }],
    },
    label: {
      startLsn: parseLsn(start),
      startTimeline: tli,
      ...(opts.from ? { incrementalFrom: { lsn: parseLsn(opts.from[0]), timeline: opts.from[1] } } : {}),
    },
    systemId: opts.systemId ?? 7n,
    incrementals: opts.incrementals ?? [],
  };
}

const rules = (f: { rule: string }[]): string[] => f.map((x) => x.rule);

describe('chain rules', () => {
  const full = link('prior backup 1', '0/A00028');
  const incr = (files = ['base/5/INCREMENTAL.16384']) =>
    link('the backup', '0/C00028', { from: ['0/A00028', 1], files });
  it('a good chain of two has no findings', () => {
    expect(chainFindings([full, incr()])).to.deep.equal([]);
  });
  it('an INCREMENTAL file whose relation the prior does not have: backup-chain-file-missing', () => {
    const f = chainFindings([full, incr(['base/5/INCREMENTAL.99999'])]);
    expect(rules(f)).to.deep.equal(['backup-chain-file-missing']);
    expect(f[0]!.message).to.contain('base/5/99999').and.contain('prior backup 1');
  });
  it('the prior may hold the relation as an incremental file itself', () => {
    const mid = link('prior backup 2', '0/B00028', {
      from: ['0/A00028', 1],
      files: ['base/5/INCREMENTAL.16384'],
    });
    const last = link('the backup', '0/C00028', {
      from: ['0/B00028', 1],
      files: ['base/5/INCREMENTAL.16384'],
    });
    expect(chainFindings([full, mid, last])).to.deep.equal([]);
  });
  it('a full backup holding an INCREMENTAL file: backup-chain-order', () => {
    const odd = link('prior backup 1', '0/A00028', { files: ['base/5/INCREMENTAL.16384'] });
    expect(rules(chainFindings([odd, incr()]))).to.include('backup-chain-order');
  });
  it('a full backup with priors sent: backup-chain-order, saying to send none', () => {
    const f = chainFindings([full, link('the backup', '0/C00028')]);
    expect(rules(f)).to.deep.equal(['backup-chain-order']);
    expect(f[0]!.message).to.contain('send none');
  });
  it("a prior whose WAL ends after the next link's start: backup-chain-broken", () => {
    const long = link('prior backup 1', '0/A00028', { end: '0/D00000' });
    expect(rules(chainFindings([long, incr()]))).to.deep.equal(['backup-chain-broken']);
  });
  it('the same link twice (a cycle): backup-chain-broken', () => {
    const again = link('prior backup 2', '0/C00028', {
      from: ['0/A00028', 1],
      files: ['base/5/INCREMENTAL.16384'],
    });
    expect(rules(chainFindings([full, again, incr()]))).to.include('backup-chain-broken');
  });
  it('a bad INCREMENTAL header names the link and the file', () => {
    const bad = {
      ...incr(),
      incrementals: [{ path: 'base/5/INCREMENTAL.16384', problem: 'bad magic number 0x0' }],
    };
    const f = chainFindings([full, bad]);
    expect(rules(f)).to.deep.equal(['backup-incremental-header-invalid']);
    expect(f[0]!.message).to.equal(
      'the backup: "base/5/INCREMENTAL.16384" is not a valid incremental file: bad magic number 0x0',
    );
  });
  it('a pg_control of another cluster in one link: backup-chain-system-id-mismatch', () => {
    const other = { ...full, systemId: 8n };
    expect(rules(chainFindings([other, incr()]))).to.deep.equal(['backup-chain-system-id-mismatch']);
  });
});

describe('chains across a timeline switch', () => {
  // The full backup on timeline 1 (0/3000028..0/3000128); the incremental on timeline 2.
  const full = link('prior backup 1', '0/3000028', { end: '0/3000028' });
  const incr = link('the backup', '0/6000028', { tli: 2, from: ['0/3000028', 1] });
  const history = (switchpoint: string) =>
    new Map([[2, [{ parent: 1, switchpoint: parseLsn(switchpoint) }]]]);

  it("the prior's range ends before timeline 1 was left: accepted", () => {
    expect(chainTimelineFindings([full, incr], history('0/5000000'))).to.deep.equal([]);
  });
  it("the prior's range runs past the switch point before the incremental's start: backup-chain-timeline-switch", () => {
    const f = chainTimelineFindings([full, incr], history('0/3000100'));
    expect(rules(f)).to.deep.equal(['backup-chain-timeline-switch']);
    expect(f[0]!.message)
      .to.contain('prior backup 1')
      .and.contain('runs past 0/3000100')
      .and.contain('the backup');
  });
  it('without the history of the incremental timeline: wal-timeline-history-missing, naming it', () => {
    const f = chainTimelineFindings([full, incr], new Map());
    expect(rules(f)).to.deep.equal(['wal-timeline-history-missing']);
    expect(f[0]!.message).to.contain('00000002.history');
  });
  it('a prior on a timeline that is not an ancestor, or on a later one: backup-chain-timeline-switch', () => {
    const elsewhere = link('prior backup 1', '0/3000028', { tli: 3 });
    expect(rules(chainTimelineFindings([elsewhere, incr], history('0/5000000')))).to.deep.equal([
      'backup-chain-timeline-switch',
    ]);
    // Timeline 1 has no ancestors: a prior on timeline 2 cannot precede it.
    const later = link('prior backup 1', '0/3000028', { tli: 2 });
    const back = link('the backup', '0/6000028', { tli: 1, from: ['0/3000028', 2] });
    expect(rules(chainTimelineFindings([later, back], new Map()))).to.deep.equal([
      'backup-chain-timeline-switch',
    ]);
  });
  it('a middle link on the old timeline past the switch point is caught against the link after it', () => {
    const mid = link('prior backup 2', '0/4000028', { from: ['0/3000028', 1] });
    const f = chainTimelineFindings([full, mid, incr], history('0/3800000'));
    expect(rules(f)).to.deep.equal(['backup-chain-timeline-switch']);
    expect(f[0]!.message).to.contain('prior backup 2');
  });
  it('all links on one timeline need no history', () => {
    const same = link('the backup', '0/6000028', { from: ['0/3000028', 1] });
    expect(chainTimelineFindings([full, same], new Map())).to.deep.equal([]);
  });
});
