// Lease election against a fake LeaseStore with the apiserver's optimistic
// concurrency: one leader at a time, takeover only after the lease expires
// as observed locally, step-down when renewals fail, release on shutdown.
import { expect } from 'chai';
import { LeaseElector } from '../../../src/adapters/k8s/lease-elector.js';
import { FakeLeaseStore, ManualClock } from './fakes.js';

describe('LeaseElector', () => {
  const make = (store: FakeLeaseStore, clock: ManualClock, identity: string) =>
    new LeaseElector({ store, identity, clock, leaseDurationMs: 15_000 });

  it('the first candidate creates the lease; the second waits while it is renewed', async () => {
    const store = new FakeLeaseStore();
    const clock = new ManualClock();
    const a = make(store, clock, 'pod-a');
    const b = make(store, clock, 'pod-b');
    expect(await a.tryAcquireOrRenew()).to.equal(true);
    expect(store.stored).to.include({
      holderIdentity: 'pod-a',
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
    for (let i = 0; i < 10; i++) {
      clock.advance(5_000);
      expect(await a.tryAcquireOrRenew()).to.equal(true);
      expect(await b.tryAcquireOrRenew()).to.equal(false);
    }
    expect(a.isLeader()).to.equal(true);
    expect(b.isLeader()).to.equal(false);
  });

  it('takes over once the holder stops renewing for a lease duration (by local observation)', async () => {
    const store = new FakeLeaseStore();
    const clock = new ManualClock();
    const a = make(store, clock, 'pod-a');
    const b = make(store, clock, 'pod-b');
    await a.tryAcquireOrRenew();
    // The holder's renewTime is far in the future (skewed clock): b still waits only a lease duration from its own observation.
    store.stored = { ...store.stored!, renewTime: new Date(clock.ms + 3_600_000) };
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    clock.advance(14_000);
    expect(await b.tryAcquireOrRenew()).to.equal(false);
    clock.advance(1_000);
    expect(await b.tryAcquireOrRenew()).to.equal(true);
    expect(store.stored).to.include({ holderIdentity: 'pod-b', leaseTransitions: 1 });
    // a finds out on its next round and steps down.
    expect(await a.tryAcquireOrRenew()).to.equal(false);
    expect(a.isLeader()).to.equal(false);
  });

  it('a leader whose renewals fail stops being leader within the lease duration', async () => {
    const store = new FakeLeaseStore();
    const clock = new ManualClock();
    const a = make(store, clock, 'pod-a');
    await a.tryAcquireOrRenew();
    store.get = () => Promise.reject(new Error('apiserver down'));
    clock.advance(5_000);
    expect(await a.tryAcquireOrRenew()).to.equal(false);
    expect(a.isLeader()).to.equal(false);
  });

  it('two candidates racing for an absent lease: exactly one wins', async () => {
    const store = new FakeLeaseStore();
    const clock = new ManualClock();
    const results = await Promise.all(
      ['pod-a', 'pod-b', 'pod-c'].map((id) => make(store, clock, id).tryAcquireOrRenew()),
    );
    expect(results.filter(Boolean)).to.have.length(1);
  });

  it('release hands the lease over without waiting for expiry', async () => {
    const store = new FakeLeaseStore();
    const clock = new ManualClock();
    const a = make(store, clock, 'pod-a');
    const b = make(store, clock, 'pod-b');
    await a.tryAcquireOrRenew();
    await a.release();
    expect(store.stored?.holderIdentity).to.equal('');
    expect(await b.tryAcquireOrRenew()).to.equal(true);
  });
});
