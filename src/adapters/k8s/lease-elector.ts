// Leader election on a coordination.k8s.io/v1 Lease, the way client-go does
// it: get, then update with the resourceVersion we read (create when absent),
// so two candidates never both win the same term. Expiry is judged by when
// *we* last saw the record change, not by the holder's renewTime, so clock
// skew between nodes cannot make a live leader look dead.
import {
  CoordinationV1Api,
  V1MicroTime,
  type ConfigurationOptions,
  type V1Lease,
} from '@kubernetes/client-node';
import type { Clock, Logger } from '../../core/ports/runtime.js';
import type { LeaseRecord, LeaseStore, StoredLease } from '../../core/ports/self-managed-tls.js';
import { kubeCall, kubeGetIfExists } from './client-node-errors.js';
import { isKubeError } from '../../core/ports/kube-errors.js';
import { describeError } from '../../core/errors.js';

export interface LeaseElectorOptions {
  store: LeaseStore;
  identity: string;
  clock: Clock;
  leaseDurationMs: number;
  logger?: Logger;
  /** What holding the lease means, for the logs (default: the TLS leader). */
  role?: string;
}

export class LeaseElector {
  #leader = false;
  #lastRenewMs = 0;
  /** The record as last seen, and our local time when it last changed. */
  #observed: { key: string; atMs: number } | undefined;

  constructor(private readonly o: LeaseElectorOptions) {}

  /** Leader while the last renewal is younger than the lease: a stalled leader steps down on its own. */
  isLeader(): boolean {
    return this.#leader && this.o.clock.now().getTime() - this.#lastRenewMs < this.o.leaseDurationMs;
  }

  /** One election round; true when we hold the lease afterwards. Never throws. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.o.clock.now();
    try {
      const lease = await this.o.store.get();
      const mine: LeaseRecord = {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
        renewTime: now,
      };
      if (!lease) {
        await this.o.store.create({ ...mine, acquireTime: now, leaseTransitions: 0 });
        return this.#won(now, true);
      }
      if (lease.holderIdentity === this.o.identity) {
        await this.o.store.update({ ...lease, ...mine }, lease.resourceVersion);
        return this.#won(now, false);
      }
      if (!this.#expired(lease, now)) return this.#lost();
      await this.o.store.update(
        { ...mine, acquireTime: now, leaseTransitions: (lease.leaseTransitions ?? 0) + 1 },
        lease.resourceVersion,
      );
      return this.#won(now, true);
    } catch (e) {
      // conflict: someone else wrote first this round. Anything else: we cannot
      // prove we still hold it, so we stop acting as leader until we can.
      if (!isKubeError(e, 'conflict'))
        this.o.logger?.warn('lease election round failed', { error: describeError(e) });
      return this.#lost();
    }
  }

  /** Gives the lease up on shutdown so the next leader need not wait for it to expire. */
  async release(): Promise<void> {
    if (!this.#leader) return;
    this.#leader = false;
    try {
      const lease = await this.o.store.get();
      if (lease?.holderIdentity === this.o.identity) {
        await this.o.store.update(
          { ...lease, holderIdentity: '', leaseDurationSeconds: 1 },
          lease.resourceVersion,
        );
      }
    } catch {
      // Best effort: the lease expires by itself.
    }
  }

  #expired(lease: StoredLease, now: Date): boolean {
    if (!lease.holderIdentity) return true;
    const key = `${lease.holderIdentity}|${lease.resourceVersion}`;
    if (this.#observed?.key !== key) {
      this.#observed = { key, atMs: now.getTime() };
      return false;
    }
    return now.getTime() - this.#observed.atMs >= (lease.leaseDurationSeconds ?? 15) * 1000;
  }

  #won(now: Date, acquired: boolean): boolean {
    if (acquired || !this.#leader)
      this.o.logger?.info(`became the ${this.o.role ?? 'TLS leader'}`, { identity: this.o.identity });
    this.#leader = true;
    this.#lastRenewMs = now.getTime();
    return true;
  }

  #lost(): boolean {
    if (this.#leader)
      this.o.logger?.warn(`lost the ${this.o.role ?? 'TLS leader'} lease`, { identity: this.o.identity });
    this.#leader = false;
    return false;
  }
}

/** The LeaseStore port over client-node, for one Lease. */
export function clientNodeLeaseStore(
  api: CoordinationV1Api,
  namespace: string,
  name: string,
  options: () => ConfigurationOptions,
): LeaseStore {
  const body = (r: LeaseRecord, resourceVersion?: string): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      ...(r.holderIdentity !== undefined ? { holderIdentity: r.holderIdentity } : {}),
      ...(r.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: r.leaseDurationSeconds } : {}),
      ...(r.acquireTime ? { acquireTime: new V1MicroTime(r.acquireTime.getTime()) } : {}),
      ...(r.renewTime ? { renewTime: new V1MicroTime(r.renewTime.getTime()) } : {}),
      ...(r.leaseTransitions !== undefined ? { leaseTransitions: r.leaseTransitions } : {}),
    },
  });
  return {
    async get() {
      const l = await kubeGetIfExists(`get lease ${namespace}/${name}`, () =>
        api.readNamespacedLease({ name, namespace }, options()),
      );
      if (!l) return undefined;
      const s = l.spec ?? {};
      return {
        resourceVersion: l.metadata?.resourceVersion ?? '',
        ...(s.holderIdentity !== undefined ? { holderIdentity: s.holderIdentity } : {}),
        ...(s.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: s.leaseDurationSeconds } : {}),
        ...(s.acquireTime ? { acquireTime: new Date(s.acquireTime) } : {}),
        ...(s.renewTime ? { renewTime: new Date(s.renewTime) } : {}),
        ...(s.leaseTransitions !== undefined ? { leaseTransitions: s.leaseTransitions } : {}),
      };
    },
    async create(r) {
      await kubeCall(`create lease ${namespace}/${name}`, () =>
        api.createNamespacedLease({ namespace, body: body(r) }, options()),
      );
    },
    async update(r, resourceVersion) {
      await kubeCall(`update lease ${namespace}/${name}`, () =>
        api.replaceNamespacedLease({ name, namespace, body: body(r, resourceVersion) }, options()),
      );
    },
  };
}
