// Stable audit writer identities: a fixed set of writer slots, each held by
// a coordination.k8s.io Lease (`<prefix>-writer-<k>`). A starting pod takes
// a free slot (released by a pod that stopped, or expired after a crash)
// and writes the chain `<prefix>-w<k>`, so a rollout hands the same chains
// on instead of adding one per pod name forever. Slots = replicas + surge:
// the surge pod of a rolling update takes the spare one.
//
// Holding is checked before every append: a pod whose lease renewal lapsed
// stops writing before another pod may take the slot (it must watch the
// lease unchanged for a whole lease duration first). Should two pods still
// overlap, the chain itself refuses the second writer (resourceVersion in
// ConfigMaps, the primary key in PostgreSQL): it fails closed, never forks.
import type { Clock, Logger } from '../../core/ports/runtime.js';
import type { LeaseStore } from '../../core/ports/self-managed-tls.js';
import { LeaseElector } from './lease-elector.js';

export interface WriterSlotOptions {
  slots: number;
  prefix: string;
  /** This pod (unique), the Lease holder identity. */
  identity: string;
  leaseStore(name: string): LeaseStore;
  clock: Clock;
  logger: Logger;
  leaseDurationMs?: number;
  /** How long a start waits for a free slot before it fails (ms). */
  waitMs?: number;
  /** Between rounds over all slots while waiting (ms). */
  retryMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WriterSlot {
  /** The audit writer id of this slot. */
  readonly writer: string;
  readonly lease: string;
  /** True while the lease is held (renewed within its duration). */
  held(): boolean;
  /** Gives the slot up at once (shutdown), so the next pod need not wait for expiry. */
  release(): Promise<void>;
}

export const writerSlotLease = (prefix: string, k: number): string => `${prefix}-writer-${k}`;
export const writerSlotId = (prefix: string, k: number): string => `${prefix}-w${k}`;

export async function acquireWriterSlot(o: WriterSlotOptions): Promise<WriterSlot> {
  const duration = o.leaseDurationMs ?? 15_000;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const electors = Array.from(
    { length: o.slots },
    (_, k) =>
      new LeaseElector({
        store: o.leaseStore(writerSlotLease(o.prefix, k)),
        identity: o.identity,
        clock: o.clock,
        logger: o.logger,
        leaseDurationMs: duration,
        role: `audit writer ${writerSlotId(o.prefix, k)}`,
      }),
  );
  const deadline = o.clock.now().getTime() + (o.waitMs ?? 4 * duration);
  for (;;) {
    for (const [k, elector] of electors.entries()) {
      if (!(await elector.tryAcquireOrRenew())) continue;
      return holdSlot(elector, k, o, duration);
    }
    if (o.clock.now().getTime() >= deadline) {
      throw new Error(
        `no free audit writer slot among ${o.slots} (${writerSlotLease(o.prefix, 0)}..${o.slots - 1}); raise the slot count to replicas + surge`,
      );
    }
    await sleep(o.retryMs ?? Math.max(250, Math.floor(duration / 5)));
  }
}

function holdSlot(elector: LeaseElector, k: number, o: WriterSlotOptions, duration: number): WriterSlot {
  // Renew well inside the duration: two missed rounds still leave room.
  const timer = setInterval(() => void elector.tryAcquireOrRenew(), Math.max(100, Math.floor(duration / 3)));
  timer.unref();
  const writer = writerSlotId(o.prefix, k);
  o.logger.info('audit writer slot acquired', {
    writer,
    lease: writerSlotLease(o.prefix, k),
    identity: o.identity,
  });
  return {
    writer,
    lease: writerSlotLease(o.prefix, k),
    held: () => elector.isLeader(),
    async release() {
      clearInterval(timer);
      await elector.release();
    },
  };
}
