// T2 verifications that outlive one admission request. A large snapshot may
// not verify inside the webhook deadline; instead of starting over on every
// `kubectl apply`, the verification keeps running here, keyed by the
// MigrationRequest spec (which pins every digest), and the retried request
// is answered from the result. Bounded: a few concurrent verifications, a
// result is kept for a while and handed out once.
import type { Evaluation } from '../../core/contracts/report.js';

export interface Progress {
  read: number;
  total?: number;
}

type Entry =
  | { state: 'running'; progress: Progress; done: Promise<Evaluation> }
  | { state: 'done'; evaluation: Evaluation; finishedAt: number };

export interface VerificationsOptions {
  /** Running plus finished-but-unclaimed entries. */
  maxEntries: number;
  /** How long a finished result waits for its retry. */
  resultTtlMs: number;
  now: () => number;
}

export class BackgroundVerifications {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly opts: VerificationsOptions) {}

  /** The running verification or an unclaimed result; a result is handed out once. */
  take(key: string): { state: 'running'; progress: Progress; done: Promise<Evaluation> } | { state: 'done'; evaluation: Evaluation } | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.state === 'running') return e;
    this.#entries.delete(key);
    return this.opts.now() - e.finishedAt > this.opts.resultTtlMs ? undefined : e;
  }

  /** Starts `work` unless full; undefined when there is no room (the caller blocks). */
  start(key: string, work: (onProgress: (p: Progress) => void) => Promise<Evaluation>): { progress: Progress; done: Promise<Evaluation> } | undefined {
    this.#evict();
    if (this.#entries.size >= this.opts.maxEntries) return undefined;
    const progress: Progress = { read: 0 };
    const done = work((p) => {
      progress.read = p.read;
      if (p.total === undefined) delete progress.total;
      else progress.total = p.total;
    });
    const entry: Entry = { state: 'running', progress, done };
    this.#entries.set(key, entry);
    done.then(
      (evaluation) => { if (this.#entries.get(key) === entry) this.#entries.set(key, { state: 'done', evaluation, finishedAt: this.opts.now() }); },
      () => { if (this.#entries.get(key) === entry) this.#entries.delete(key); },
    );
    return entry;
  }

  /** The request that started it got its answer in time: nobody will retry for it. */
  forget(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    const now = this.opts.now();
    for (const [k, e] of this.#entries) if (e.state === 'done' && now - e.finishedAt > this.opts.resultTtlMs) this.#entries.delete(k);
  }
}
