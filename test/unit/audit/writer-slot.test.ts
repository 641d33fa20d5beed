// Stable writer identities: Lease-held writer slots (fake Lease store,
// manual clock). A rollout reuses slots instead of adding chains; a crashed
// holder's slot is taken only after its lease expired; a pod whose lease
// lapsed stops appending before another may take over.
import { expect } from 'chai';
import { acquireWriterSlot, type WriterSlot } from '../../../src/adapters/k8s/writer-slot.js';
import type { Logger } from '../../../src/core/ports/runtime.js';
import { slotGuardedSink } from '../../../src/services/audit/slot-guarded-sink.js';
import { createMemoryAuditSink } from '../../support/memory-audit-sink.js';
import { FakeLeaseStore, ManualClock } from '../tls/fakes.js';
import { report } from './report-fixture.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('audit writer slots (Leases)', () => {
  let stores: Map<string, FakeLeaseStore>;
  let clock: ManualClock;
  const held: WriterSlot[] = [];
  const acquire = async (identity: string, waitMs = 60_000): Promise<WriterSlot> => {
    const slot = await acquireWriterSlot({
      slots: 3,
      prefix: 'mg',
      identity,
      clock,
      logger: silent,
      leaseDurationMs: 15_000,
      waitMs,
      retryMs: 1000,
      leaseStore: (name) => {
        if (!stores.has(name)) stores.set(name, new FakeLeaseStore());
        return stores.get(name)!;
      },
      // Waiting advances the manual clock: no real time passes in the test.
      sleep: async (ms) => clock.advance(ms),
    });
    held.push(slot);
    return slot;
  };

  beforeEach(() => {
    stores = new Map();
    clock = new ManualClock();
  });
  afterEach(async () => {
    await Promise.all(held.splice(0).map((s) => s.release()));
  });

  it('a rolling update of 2 replicas (+1 surge) over many generations uses at most 3 writer ids', async () => {
    const writers = new Set<string>();
    let live = [await acquire('gen0-a'), await acquire('gen0-b')];
    for (let gen = 1; gen <= 10; gen++) {
      const next: WriterSlot[] = [];
      for (const old of live) {
        // maxSurge 1, maxUnavailable 0: the new pod starts while the old one still holds its slot, then the old one stops.
        const fresh = await acquire(`gen${gen}-${next.length}`);
        next.push(fresh);
        await old.release();
      }
      live = next;
      for (const s of live) writers.add(s.writer);
    }
    expect([...writers].sort()).to.deep.equal(['mg-w0', 'mg-w1', 'mg-w2']);
  });

  it('a crashed holder’s slot is taken only after its lease expired; the crashed pod no longer counts as holding it', async () => {
    const a = await acquire('pod-a');
    const b = await acquire('pod-b');
    const c = await acquire('pod-c');
    expect([a.writer, b.writer, c.writer]).to.deep.equal(['mg-w0', 'mg-w1', 'mg-w2']);
    // All slots busy, nobody renews (a "crash" of everyone but the clock): pod-d waits a lease duration, then takes one.
    const start = clock.now().getTime();
    const d = await acquire('pod-d');
    expect(clock.now().getTime() - start).to.be.at.least(15_000);
    expect(d.writer).to.equal('mg-w0');
    expect(a.held()).to.equal(false);
    expect(d.held()).to.equal(true);
  });

  it('fails the start, naming the fix, when no slot frees up in time', async () => {
    const hold = await Promise.all(['a', 'b', 'c'].map((x) => acquire(`pod-${x}`)));
    // Keep them renewed while pod-x waits.
    const err = await acquireWriterSlot({
      slots: 3,
      prefix: 'mg',
      identity: 'pod-x',
      clock,
      logger: silent,
      leaseDurationMs: 15_000,
      waitMs: 10_000,
      retryMs: 1000,
      leaseStore: (name) => stores.get(name)!,
      sleep: async (ms) => {
        clock.advance(ms);
        for (const s of hold) expect(s.held()).to.equal(true);
        await Promise.all(
          [...stores.values()].map(async (st) => {
            const l = await st.get();
            if (l) await st.update({ ...l, renewTime: clock.now() }, l.resourceVersion);
          }),
        );
      },
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/no free audit writer slot among 3 .*replicas \+ surge/);
  });

  it('a sink guarded by a lapsed slot refuses appends (fail closed) and reports unhealthy', async () => {
    const slot = await acquire('pod-a');
    const sink = slotGuardedSink(createMemoryAuditSink(slot.writer), slot);
    expect((await sink.append(report(1))).writer).to.equal('mg-w0');
    clock.advance(16_000); // no renewal got through for longer than the lease
    const err = await sink.append(report(2)).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).to.equal('audit-unavailable');
    expect(err?.message).to.match(/mg-w0 is no longer held/);
    expect(sink.health().ok).to.equal(false);
  });
});
