// The first view after an idle spell is not minutes stale: a kept walk older
// than 3 × its max age is not shown while the next one runs; the view waits
// for it. A merely stale one (under that) is still shown at once.
import { expect } from 'chai';
import { AuditSnapshots } from '../../../src/services/audit/audit-snapshot.js';
import { silentLogger } from '../../../src/adapters/log.js';
import { MemoryAuditSink } from '../../support/memory-audit-sink.js';
import type { DecisionReport } from '../../../src/core/contracts/report.js';

const report = (id: string, at: number): DecisionReport => ({
  request_id: id,
  timestamp: new Date(at).toISOString(),
  scenario: 'T1',
  decision: 'ALLOW',
  subject: {},
  steps: [],
  findings: [],
  reasons: [],
  warnings: [],
});

describe('audit snapshot after idle', () => {
  it('waits for a fresh walk when the kept one is older than 3 × maxAge, serves it at once when only stale', async () => {
    let now = Date.parse('2026-03-01T12:00:00Z');
    const sink = new MemoryAuditSink('w');
    await sink.append(report('a', now));
    const snaps = new AuditSnapshots(
      { audit: sink, clock: { now: () => new Date(now) }, logger: silentLogger },
      { maxAgeMs: 60_000 },
    );
    expect((await snaps.current()).snapshot!.recent.map((r) => r.request_id)).to.deep.equal(['a']);
    await sink.append(report('b', now + 1000));
    now += 90_000; // stale, not too old: the kept walk at once, a new one in the background
    const stale = await snaps.current();
    expect(stale.refreshing).to.equal(true);
    expect(stale.snapshot!.recent.map((r) => r.request_id)).to.deep.equal(['a']);
    await snaps.idle();
    await sink.append(report('c', now + 1000));
    now += 10 * 60_000; // an idle spell: the view waits for the walk
    const after = await snaps.current();
    expect(after.refreshing).to.equal(false);
    expect(after.snapshot!.recent.map((r) => r.request_id)).to.deep.equal(['c', 'b', 'a']);
    expect(after.snapshot!.at.getTime()).to.equal(now);
  });
});
