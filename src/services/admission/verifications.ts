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
  | { state: 'running'; progress: Progress; done: Promise<Evaluation>; startedAt: number; label: string }
  | {
      state: 'done';
      evaluation: Evaluation;
      finishedAt: number;
      startedAt: number;
      label: string;
      read: number;
      total?: number;
    };

/** What the status page and GET /api/v1/verifications/<id> show of one verification. */
export interface VerificationView {
  id: string;
  /** What is being verified (source -> target database), for people. */
  label: string;
  state: 'running' | 'done';
  bytes_done: number;
  bytes_total?: number;
  started_at: string;
  /** Bytes per second since the start. */
  rate?: number;
  /** Seconds left at that rate, when the total is known. */
  eta_seconds?: number;
  decision?: 'ALLOW' | 'BLOCK';
}

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
  take(
    key: string,
  ):
    | { state: 'running'; progress: Progress; done: Promise<Evaluation> }
    | { state: 'done'; evaluation: Evaluation }
    | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.state === 'running') return e;
    this.#entries.delete(key);
    return this.opts.now() - e.finishedAt > this.opts.resultTtlMs ? undefined : e;
  }

  /** Starts `work` unless full; undefined when there is no room (the caller blocks). */
  start(
    key: string,
    work: (onProgress: (p: Progress) => void) => Promise<Evaluation>,
    label = '',
  ): { progress: Progress; done: Promise<Evaluation> } | undefined {
    this.#evict();
    if (this.#entries.size >= this.opts.maxEntries) return undefined;
    const progress: Progress = { read: 0 };
    const done = work((p) => {
      progress.read = p.read;
      if (p.total === undefined) delete progress.total;
      else progress.total = p.total;
    });
    const entry: Entry = { state: 'running', progress, done, startedAt: this.opts.now(), label };
    this.#entries.set(key, entry);
    done.then(
      (evaluation) => {
        if (this.#entries.get(key) !== entry) return;
        this.#entries.set(key, {
          state: 'done',
          evaluation,
          finishedAt: this.opts.now(),
          startedAt: entry.startedAt,
          label,
          read: progress.read,
          ...(progress.total !== undefined ? { total: progress.total } : {}),
        });
      },
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return entry;
  }

  /** The request that started it got its answer in time: nobody will retry for it. */
  forget(key: string): void {
    this.#entries.delete(key);
  }

  /** One verification's progress, without claiming its result. */
  view(key: string): VerificationView | undefined {
    this.#evict();
    const e = this.#entries.get(key);
    return e ? this.#viewOf(key, e) : undefined;
  }

  /** Every verification kept, running first. */
  list(): VerificationView[] {
    this.#evict();
    return [...this.#entries]
      .map(([k, e]) => this.#viewOf(k, e))
      .sort((a, b) =>
        a.state === b.state ? (a.started_at < b.started_at ? 1 : -1) : a.state === 'running' ? -1 : 1,
      );
  }

  #viewOf(id: string, e: Entry): VerificationView {
    const done = e.state === 'running' ? e.progress.read : e.read;
    const total = e.state === 'running' ? e.progress.total : e.total;
    const end = e.state === 'running' ? this.opts.now() : e.finishedAt;
    const seconds = (end - e.startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : undefined;
    const view: VerificationView = {
      id,
      label: e.label,
      state: e.state,
      bytes_done: done,
      started_at: new Date(e.startedAt).toISOString(),
    };
    if (total !== undefined) view.bytes_total = total;
    if (rate !== undefined) view.rate = Math.round(rate);
    if (e.state === 'running' && rate && total !== undefined && total >= done)
      view.eta_seconds = Math.ceil((total - done) / rate);
    if (e.state === 'done')
      view.decision =
        e.evaluation.findings.some((f) => f.action === 'block') ||
        e.evaluation.steps.some((s) => s.status === 'fail')
          ? 'BLOCK'
          : 'ALLOW';
    return view;
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    const now = this.opts.now();
    for (const [k, e] of this.#entries)
      if (e.state === 'done' && now - e.finishedAt > this.opts.resultTtlMs) this.#entries.delete(k);
  }
}
