// Timeline histories in a WAL set (issue 15, item 4): a set that spans
// timelines needs the newest timeline's .history; segments are valid along
// that history only (each ancestor up to its switch point); the hand-over
// must not leave a hole; segments of another cluster are refused (wal.test.ts).
import { expect } from 'chai';
import { parseHistory } from '../../../src/core/replication/timelines.js';
import { sha256, walName, walSegment } from '../../support/pg/synthetic-backup.js';
import { goodCase, run } from './helpers.js';

type Wal = { name: string; data: Buffer };
const seg = (tli: number, n: number): Wal => ({ name: walName(tli, n), data: walSegment(tli, n) });
const history = (tli: number, text: string): Wal => ({
  name: `${tli.toString(16).toUpperCase().padStart(8, '0')}.history`,
  data: Buffer.from(text),
});

async function decideWal(wal: Wal[]) {
  const g = goodCase();
  const fields = { ...g.fields, wal_files: wal.map((w) => ({ name: w.name, sha256: sha256(w.data) })) };
  return run({ fields, walList: wal });
}

describe('WAL timelines', () => {
  // Synthetic segments are 1 MiB: 0/300000 is the start of segment 3.
  const h2 = history(2, '1\t0/380000\tno recovery target specified\n');

  it('parses a history file; refuses one whose timelines or switch points go backwards', () => {
    expect(
      parseHistory('1\t0/3000000\tno recovery target specified\n\n2\t0/5000000\tbefore 2026-01-01\n', 3),
    ).to.deep.equal([
      { parent: 1, switchpoint: 0x3000000n },
      { parent: 2, switchpoint: 0x5000000n },
    ]);
    expect(parseHistory('2\t0/5000000\tx\n1\t0/3000000\ty\n', 3)).to.be.a('string');
    expect(parseHistory('3\t0/5000000\tx\n', 3)).to.be.a('string');
    expect(parseHistory('garbage', 2)).to.be.a('string');
  });

  it('a jump from timeline 1 to 2 without the history file is refused (it was ALLOWed before)', async () => {
    const { rules, report } = await decideWal([seg(1, 1), seg(1, 2), seg(2, 5), seg(2, 6)]);
    expect(rules).to.include('wal-timeline-history-missing');
    expect(report.reasons.join()).to.contain('00000002.history');
  });

  it('with the history, a hole at the hand-over is a gap along the history', async () => {
    const { rules, report } = await decideWal([seg(1, 1), seg(1, 2), seg(2, 5), seg(2, 6), h2]);
    expect(rules).to.include('wal-gap');
    expect(report.reasons.join()).to.contain(walName(2, 4));
  });

  it('a continuous set along the history is accepted', async () => {
    const { report } = await decideWal([seg(1, 1), seg(1, 2), seg(1, 3), seg(2, 3), seg(2, 4), h2]);
    expect(report.reasons).to.deep.equal([]);
    expect(report.decision).to.equal('ALLOW');
  });

  it('timeline 1 continuing past its switch point is refused', async () => {
    const { rules, report } = await decideWal([
      seg(1, 1),
      seg(1, 2),
      seg(1, 3),
      seg(1, 4),
      seg(2, 3),
      seg(2, 4),
      h2,
    ]);
    expect(rules).to.include('wal-timeline-invalid');
    expect(report.reasons.join()).to.contain(`${walName(1, 4)} continues timeline 1 past its switch point`);
  });

  it('a newer timeline without its own history is refused; a segment on a timeline outside the history is refused', async () => {
    expect((await decideWal([seg(1, 1), seg(1, 2), seg(1, 3), seg(2, 3), seg(3, 4), h2])).rules).to.include(
      'wal-timeline-history-missing',
    );
    // Timeline 3 branched from 1: timeline 2 is another history.
    const h3 = history(3, '1\t0/380000\tpromoted elsewhere\n');
    const { rules, report } = await decideWal([seg(1, 1), seg(1, 2), seg(1, 3), seg(2, 3), seg(3, 3), h3]);
    expect(rules).to.include('wal-timeline-invalid');
    expect(report.reasons.join()).to.contain('not in the history of timeline 3');
  });

  it('a history file that is not one is refused', async () => {
    const { rules } = await decideWal([seg(1, 1), seg(1, 2), history(2, 'not a history\n')]);
    expect(rules).to.include('wal-history-invalid');
  });
});
