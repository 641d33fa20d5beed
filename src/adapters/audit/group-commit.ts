// Group commit: many concurrent appends share one durable write (one write +
// one fsync for a file, one optimistic update for a ConfigMap). Generic over
// what is written; the sink's `flush` does the writing and the chaining.
import { GateError, describeError, isGateError } from '../../core/errors.js';

export interface FlushInfo {
  items: number;
  durationMs: number;
  error?: unknown;
}

export interface GroupCommitOptions<T, R> {
  /**
   * Makes a batch durable and returns one result per item, in order. Calls
   * never overlap, so the sink can keep its chain head in plain state and
   * advance it only when the flush succeeds.
   */
  flush(items: T[]): Promise<R[]>;
  /**
   * How long the first item of an idle queue waits for company (ms). 0 means
   * flush on the next turn of the event loop. Items that arrive while a
   * flush runs are flushed as soon as it ends: they have already waited.
   */
  lingerMs?: number;
  /** Unresolved items (queued + in flight) beyond which submit rejects at once. */
  maxPending?: number;
  /** Largest batch handed to one flush; bounds the size of one write. */
  maxBatch?: number;
  /** Called after every flush, for metrics. Must not throw. */
  onFlush?(info: FlushInfo): void;
}

interface Waiter<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

// 0: an idle queue flushes at once. Batches still form on their own: what
// arrives during one flush (an fsync, an apiserver round trip) goes in the
// next. A window only added its length to every answer at low rates.
export const DEFAULT_LINGER_MS = 0;
export const DEFAULT_MAX_PENDING = 1000;
export const DEFAULT_MAX_BATCH = 500;

export class GroupCommitQueue<T, R> {
  readonly #flush: (items: T[]) => Promise<R[]>;
  readonly #lingerMs: number;
  readonly #maxPending: number;
  readonly #maxBatch: number;
  readonly #onFlush: ((info: FlushInfo) => void) | undefined;
  #queue: Waiter<T, R>[] = [];
  #inFlight = 0;
  #running: Promise<void> | undefined;
  #cancelTimer: (() => void) | undefined;
  #closed = false;

  constructor(options: GroupCommitOptions<T, R>) {
    this.#flush = options.flush;
    this.#lingerMs = Math.max(0, options.lingerMs ?? DEFAULT_LINGER_MS);
    this.#maxPending = Math.max(1, options.maxPending ?? DEFAULT_MAX_PENDING);
    this.#maxBatch = Math.max(1, options.maxBatch ?? DEFAULT_MAX_BATCH);
    this.#onFlush = options.onFlush;
  }

  /** Items submitted and not yet resolved or rejected. */
  get pending(): number {
    return this.#queue.length + this.#inFlight;
  }

  /**
   * Resolves when the batch holding `item` is durable. Rejects at once when
   * the queue is full or closed: a verdict must never wait unboundedly.
   */
  submit(item: T): Promise<R> {
    if (this.#closed) return Promise.reject(new GateError('audit-unavailable', 'audit sink is closed'));
    if (this.pending >= this.#maxPending) {
      return Promise.reject(
        new GateError('audit-unavailable', 'audit queue full', { max_pending: this.#maxPending }),
      );
    }
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Flushes what is queued, then resolves; later submits reject. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#cancelTimer) {
      this.#cancelTimer();
      this.#cancelTimer = undefined;
      this.#start();
    }
    while (this.#running) await this.#running;
  }

  #schedule(): void {
    if (this.#running || this.#cancelTimer) return;
    if (this.#closed) {
      this.#start();
      return;
    }
    if (this.#lingerMs > 0) {
      const t = setTimeout(() => this.#fire(), this.#lingerMs);
      this.#cancelTimer = () => clearTimeout(t);
    } else {
      // setImmediate, not a microtask: appends issued in the same tick join.
      const t = setImmediate(() => this.#fire());
      this.#cancelTimer = () => clearImmediate(t);
    }
  }

  #fire(): void {
    this.#cancelTimer = undefined;
    this.#start();
  }

  #start(): void {
    if (this.#running || this.#queue.length === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      // An item may have been queued after the loop's last check and before
      // this callback: it must not be stranded.
      if (this.#queue.length > 0) this.#schedule();
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight = batch.length;
      await this.#flushBatch(batch);
      this.#inFlight = 0;
    }
  }

  async #flushBatch(batch: Waiter<T, R>[]): Promise<void> {
    const started = performance.now();
    let error: unknown;
    try {
      const results = await this.#flush(batch.map((w) => w.item));
      if (results.length !== batch.length) {
        throw new GateError(
          'internal',
          `audit flush returned ${results.length} results for ${batch.length} items`,
        );
      }
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (e) {
      error = e;
      // Every item of a failed batch fails: none of them is known durable.
      const err = isGateError(e)
        ? e
        : new GateError('audit-unavailable', `audit write failed: ${describeError(e)}`, undefined, {
            cause: e,
          });
      for (const w of batch) w.reject(err);
    }
    try {
      this.#onFlush?.({
        items: batch.length,
        durationMs: performance.now() - started,
        ...(error === undefined ? {} : { error }),
      });
    } catch {
      // A metrics hook must not break the commit path.
    }
  }
}
