// AuditSnapshots bounds how often the audit log is walked, whoever asks:
// a fake clock decides freshness and a counting sink counts the walks. A
// held sink keeps a walk "under way" for as long as a test needs, so
// "answered at once" is checked by what has settled after one turn of the
// event loop, never by elapsed time.
import { expect } from 'chai';
import { verifyChains } from '../../../src/core/audit-record.js';
import { GateError } from '../../../src/core/errors.js';
import type { Logger } from '../../../src/core/ports/runtime.js';
import {
  AUDIT_SNAPSHOT_MAX_AGE_MS,
  AuditSnapshots,
  type AuditSnapshotView,
} from '../../../src/services/audit/audit-snapshot.js';
import { CountingAuditSink } from '../../support/counting-audit-sink.js';
import { report } from '../audit/report-fixture.js';

const START = Date.UTC(2026, 0, 1, 1, 0, 30);
const MAX_AGE = 60_000;

class FakeClock {
  constructor(public t = START) {}
  now(): Date {
    return new Date(this.t);
  }
}

/** One turn of the event loop: every promise that can settle without I/O has. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function tracked<T>(p: Promise<T>): { p: Promise<T>; settled: () => boolean } {
  let done = false;
  void p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return { p, settled: () => done };
}

interface Setup {
  sink: CountingAuditSink;
  clock: FakeClock;
  errors: string[];
  snapshots: AuditSnapshots;
}

async function setup(
  records = 10,
  opts: { maxAgeMs?: number; recent?: number } = { maxAgeMs: MAX_AGE },
): Promise<Setup> {
  const sink = new CountingAuditSink('pod-a');
  for (let n = 1; n <= records; n += 1) await sink.append(report(n));
  const clock = new FakeClock();
  const errors: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (msg, f) => {
      errors.push(`${msg}: ${String(f?.error)}`);
    },
  };
  return { sink, clock, errors, snapshots: new AuditSnapshots({ audit: sink, clock, logger }, opts) };
}

describe('audit snapshots: how often the audit log is walked', () => {
  it('shares one walk among concurrent first callers, who all wait for it', async () => {
    const { sink, snapshots } = await setup(10);
    const views = await Promise.all(Array.from({ length: 25 }, () => snapshots.current()));
    expect(sink.reads).to.equal(1);
    for (const v of views) {
      expect(v.failure).to.equal(undefined);
      expect(v.snapshot).to.equal(views[0]!.snapshot);
    }
    const s = views[0]!.snapshot!;
    expect(s.chain).to.deep.equal({ ...(await verifyChains(sink.inner.readRaw())), sink: 'memory' });
    expect(s.chain).to.include({ ok: true, records: 10 });
    expect(s.at.getTime()).to.equal(START);
  });

  it('serves a fresh result without walking, up to but not at the max age', async () => {
    const { sink, clock, snapshots } = await setup(3);
    const first = await snapshots.current();
    await sink.append(report(4));
    for (const age of [0, 1, MAX_AGE / 2, MAX_AGE - 1]) {
      clock.t = START + age;
      const views = await Promise.all([snapshots.current(), snapshots.current(), snapshots.current()]);
      for (const v of views) expect(v).to.deep.equal({ snapshot: first.snapshot, refreshing: false });
    }
    await turn();
    expect(sink.reads).to.equal(1);
    clock.t = START + MAX_AGE;
    expect((await snapshots.current()).refreshing, 'stale at exactly the max age').to.equal(true);
    await snapshots.idle();
    expect(sink.reads).to.equal(2);
  });

  it('answers stale callers at once with the old result and starts exactly one background walk', async () => {
    const { sink, clock, snapshots } = await setup(5);
    const old = (await snapshots.current()).snapshot!;
    await sink.append(report(6));
    clock.t = START + MAX_AGE + 1;
    const release = sink.hold();
    const calls = Array.from({ length: 20 }, () => tracked(snapshots.current()));
    await turn();
    for (const c of calls) expect(c.settled(), 'answered while the walk is held').to.equal(true);
    for (const c of calls) expect(await c.p).to.deep.equal({ snapshot: old, refreshing: true });
    expect(sink.reads).to.equal(2);
    // Still under way: later callers keep getting the old result and start nothing.
    expect(await snapshots.current()).to.deep.equal({ snapshot: old, refreshing: true });
    expect(sink.reads).to.equal(2);
    release();
    await snapshots.idle();
    const next = await snapshots.current();
    expect(next.refreshing).to.equal(false);
    expect(next.snapshot!.at.getTime()).to.equal(START + MAX_AGE + 1);
    expect(next.snapshot!.chain.records).to.equal(6);
    expect(sink.reads).to.equal(2);
  });

  it('treats a clock that went backwards as stale', async () => {
    const { sink, clock, snapshots } = await setup(2);
    await snapshots.current();
    clock.t = START - 1000;
    expect((await snapshots.current()).refreshing).to.equal(true);
    await snapshots.idle();
    expect(sink.reads).to.equal(2);
  });

  it('does not keep a failed first walk as a result: shows the failure, and the next call retries', async () => {
    const { sink, snapshots, errors } = await setup(4);
    sink.failReads(1);
    const failed = await snapshots.current();
    expect(failed.snapshot).to.equal(undefined);
    expect(failed.failure!.at.getTime()).to.equal(START);
    // A raw error may carry a path: the page gets a pointer to the log instead.
    expect(failed.failure!.detail).to.equal('the audit log could not be read; see the gate log');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.contain('EACCES');
    expect(sink.reads).to.equal(1);
    // The failure is not a fresh result: the next call answers with it and retries.
    const retrying = await snapshots.current();
    expect(retrying.failure).to.deep.equal(failed.failure);
    expect(retrying.refreshing).to.equal(true);
    expect(sink.reads).to.equal(2);
    await snapshots.idle();
    const ok = await snapshots.current();
    expect(ok.failure).to.equal(undefined);
    expect(ok.snapshot!.chain).to.include({ ok: true, records: 4 });
    expect(sink.reads).to.equal(2);
  });

  it('shows a GateError failure by its message', async () => {
    const { sink, snapshots } = await setup(2);
    sink.failReads(1, () => new GateError('audit-unavailable', 'configmap sink: apiserver unreachable'));
    expect((await snapshots.current()).failure!.detail).to.equal('configmap sink: apiserver unreachable');
  });

  it('after a good walk, a failed background walk replaces the chain status with the failure and keeps retrying', async () => {
    const { sink, clock, snapshots } = await setup(3);
    const good = (await snapshots.current()).snapshot!;
    clock.t = START + MAX_AGE;
    sink.failReads(2);
    // The stale call that starts the failing walk still sees the good, old result.
    expect(await snapshots.current()).to.deep.equal({ snapshot: good, refreshing: true });
    await snapshots.idle();
    const failed = await snapshots.current();
    expect(failed.failure!.at.getTime()).to.equal(START + MAX_AGE);
    expect(failed.snapshot, 'the last completed walk, for its dated numbers').to.equal(good);
    expect(failed.refreshing).to.equal(true);
    expect(sink.reads).to.equal(3);
    await snapshots.idle();
    clock.t += 1;
    const again = await snapshots.current();
    expect(again.failure!.at.getTime()).to.equal(START + MAX_AGE, 'the retry failed too');
    await snapshots.idle();
    const recovered = await snapshots.current();
    expect(recovered.failure).to.equal(undefined);
    expect(recovered.snapshot!.at.getTime()).to.equal(START + MAX_AGE + 1);
    expect(sink.reads).to.equal(4);
  });

  it('counts ALLOW and BLOCK over the hour and day before the walk, and keeps the newest records', async () => {
    // report(n) is at 00:00:n; the walk is at 01:00:30, so the hour starts at 00:00:30.
    const { clock, snapshots } = await setup(40, { maxAgeMs: MAX_AGE, recent: 5 });
    const s = (await snapshots.current()).snapshot!;
    const ns = Array.from({ length: 40 }, (_, i) => i + 1);
    const allow = (n: number): boolean => n % 3 === 0;
    expect(s.lastHour).to.deep.equal({
      since: '2026-01-01T00:00:30.000Z',
      allow: ns.filter((n) => n >= 30 && allow(n)).length,
      block: ns.filter((n) => n >= 30 && !allow(n)).length,
    });
    expect(s.lastDay).to.deep.equal({
      since: '2025-12-31T01:00:30.000Z',
      allow: ns.filter(allow).length,
      block: ns.filter((n) => !allow(n)).length,
    });
    expect(s.recent.map((r) => r.request_id)).to.deep.equal([
      'req-40',
      'req-39',
      'req-38',
      'req-37',
      'req-36',
    ]);
    // Later views of the same walk keep its counts: they are as of the walk.
    clock.t += MAX_AGE - 1;
    expect((await snapshots.current()).snapshot!.lastHour.since).to.equal('2026-01-01T00:00:30.000Z');
  });

  it('refresh() waits out a walk under way and shares one new walk among its callers', async () => {
    const { sink, clock, snapshots } = await setup(2);
    await snapshots.current();
    clock.t += MAX_AGE;
    const release = sink.hold();
    void snapshots.current(); // stale: the background walk, held before its first line
    await turn();
    expect(sink.reads).to.equal(2);
    await sink.append(report(3)); // after that walk began
    const refreshes = [snapshots.refresh(), snapshots.refresh(), snapshots.refresh()];
    release();
    const views = await Promise.all(refreshes);
    expect(sink.reads).to.equal(3);
    for (const v of views) expect(v.snapshot!.chain.records).to.equal(3);
  });

  it('verify(): N concurrent calls cost at most two walks, each started after its call, and never the kept result', async () => {
    const { sink, snapshots } = await setup(6);
    const release = sink.hold();
    const calls = Array.from({ length: 30 }, () => snapshots.verify());
    await turn();
    release();
    const results = await Promise.all(calls);
    // The first call started a walk; the 29 that came while it ran share one that starts after it.
    expect(sink.reads).to.equal(2);
    for (const r of results) expect(r).to.deep.equal(results[0]).and.to.include({ ok: true, records: 6 });
    // The pages' result is fresh now, yet verify walks again and sees the new record.
    expect((await snapshots.current()).refreshing).to.equal(false);
    await sink.append(report(7));
    expect(await snapshots.verify()).to.include({ ok: true, records: 7 });
    expect(sink.reads).to.equal(3);
  });

  it('verify() during a page walk waits it out and walks again: its answer covers what was written before the call', async () => {
    const { sink, snapshots } = await setup(3);
    const release = sink.hold();
    const page = snapshots.current();
    await turn();
    await sink.append(report(4));
    const verify = snapshots.verify();
    await turn();
    release();
    expect(await verify).to.include({ ok: true, records: 4 });
    await page;
    expect(sink.reads).to.equal(2);
  });

  it('verify() rejects with the read error, as a fresh verification did, and caches nothing', async () => {
    const { sink, snapshots } = await setup(3);
    sink.failReads(1, () => new GateError('audit-unavailable', 'file sink: read failed'));
    await snapshots.verify().then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e.message).to.equal('file sink: read failed'),
    );
    expect(await snapshots.verify()).to.include({ ok: true, records: 3 });
    expect(sink.reads).to.equal(2);
  });

  it('verify() reports a broken chain like verifyAudit', async () => {
    const { sink, snapshots } = await setup(5);
    sink.inner.lines[2] = sink.inner.lines[2]!.replace('"req-3"', '"req-x"');
    const v = await snapshots.verify();
    expect(v.ok).to.equal(false);
    expect(v.first_bad).to.include({ location: 'memory:3' });
    const view: AuditSnapshotView = await snapshots.current();
    expect(view.snapshot!.chain.ok).to.equal(false);
  });

  it('has a one-minute default max age and refuses nonsense options', async () => {
    const { sink, clock } = await setup(1);
    const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    expect(new AuditSnapshots({ audit: sink, clock, logger }).maxAgeMs)
      .to.equal(AUDIT_SNAPSHOT_MAX_AGE_MS)
      .and.to.equal(60_000);
    expect(() => new AuditSnapshots({ audit: sink, clock, logger }, { recent: 0 })).to.throw(
      /recent must be/,
    );
    expect(() => new AuditSnapshots({ audit: sink, clock, logger }, { maxAgeMs: -1 })).to.throw(/maxAgeMs/);
  });
});

describe('audit snapshots: a broken chain alerts whoever found it', () => {
  it("a page's walk raises the audit-chain alert on tampering and clears it once the chain verifies again", async () => {
    const { AlertBook } = await import('../../../src/services/alerts.js');
    const sink = new CountingAuditSink('pod-a');
    for (let n = 1; n <= 5; n += 1) await sink.append(report(n));
    const alerts = new AlertBook();
    const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    const snapshots = new AuditSnapshots(
      { audit: sink, clock: new FakeClock(), logger, alerts },
      { maxAgeMs: 0 },
    );
    expect((await snapshots.current()).snapshot!.chain.ok).to.equal(true);
    expect(alerts.list().filter((a) => a.kind === 'audit-chain')).to.deep.equal([]);

    const original = sink.inner.lines[2]!;
    const tampered = original.replace(/"request_id":"[^"]*"/, '"request_id":"tampered"');
    expect(tampered).to.not.equal(original);
    sink.inner.lines[2] = tampered;
    const broken = await snapshots.refresh();
    expect(broken.snapshot!.chain.ok).to.equal(false);
    const raised = alerts.list().filter((a) => a.kind === 'audit-chain');
    expect(raised).to.have.length(1);
    expect(raised[0]).to.include({ severity: 'critical' });
    expect(raised[0]!.message).to.contain(broken.snapshot!.chain.first_bad!.location);

    sink.inner.lines[2] = original;
    expect((await snapshots.refresh()).snapshot!.chain.ok).to.equal(true);
    expect(alerts.list().filter((a) => a.kind === 'audit-chain')).to.deep.equal([]);
  });
});
