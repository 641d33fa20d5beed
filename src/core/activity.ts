// What the status page draws: decisions per interval (ALLOW and BLOCK), the
// rules that block most, the busiest namespaces and apps. Tallied during the
// audit walk the page already makes, in bounded memory (fixed buckets; the
// top lists are exact counts over a map whose size is the number of distinct
// rule ids / namespaces / apps in the window, which closed vocabularies and
// the cap below keep small).
import type { AuditRecord } from './contracts/audit.js';

export interface ActivityBucket {
  /** Start of the interval (ISO). */
  start: string;
  allow: number;
  block: number;
}

export interface Ranked {
  name: string;
  count: number;
}

export interface Activity {
  bucketMs: number;
  buckets: ActivityBucket[];
  /** BLOCK decisions per blocking rule id in the window. */
  topRules: Ranked[];
  /** Decisions per namespace (webhook) in the window. */
  topNamespaces: Ranked[];
  /** Decisions per app_id in the window. */
  topApps: Ranked[];
}

/** Distinct names kept per list; past it, new names are counted as "(other)". */
const MAX_NAMES = 1000;
const TOP = 8;

export class ActivityTally {
  readonly #start: number;
  readonly #buckets: ActivityBucket[];
  readonly #rules = new Map<string, number>();
  readonly #namespaces = new Map<string, number>();
  readonly #apps = new Map<string, number>();

  /** `end` is the walk's time; the window is the `buckets` intervals before it. */
  constructor(
    end: Date,
    private readonly opts: { buckets: number; bucketMs: number },
  ) {
    // Buckets end at `end` rounded up to the interval, so they line up with the clock.
    const last = Math.ceil(end.getTime() / opts.bucketMs) * opts.bucketMs;
    this.#start = last - opts.buckets * opts.bucketMs;
    this.#buckets = Array.from({ length: opts.buckets }, (_, i) => ({
      start: new Date(this.#start + i * opts.bucketMs).toISOString(),
      allow: 0,
      block: 0,
    }));
  }

  offer(r: AuditRecord): void {
    const t = Date.parse(r.timestamp);
    if (!Number.isFinite(t) || t < this.#start) return;
    const i = Math.floor((t - this.#start) / this.opts.bucketMs);
    const bucket = this.#buckets[i];
    if (!bucket) return;
    if (r.decision === 'ALLOW') bucket.allow += 1;
    else bucket.block += 1;
    if (r.decision === 'BLOCK') {
      for (const rule of new Set(r.findings.filter((f) => f.action === 'block').map((f) => f.rule)))
        bump(this.#rules, rule);
    }
    if (r.subject.namespace) bump(this.#namespaces, r.subject.namespace);
    if (r.subject.app_id) bump(this.#apps, r.subject.app_id);
  }

  result(): Activity {
    return {
      bucketMs: this.opts.bucketMs,
      buckets: this.#buckets.map((b) => ({ ...b })),
      topRules: top(this.#rules),
      topNamespaces: top(this.#namespaces),
      topApps: top(this.#apps),
    };
  }
}

function bump(m: Map<string, number>, name: string): void {
  const key = m.has(name) || m.size < MAX_NAMES ? name : '(other)';
  m.set(key, (m.get(key) ?? 0) + 1);
}

function top(m: Map<string, number>): Ranked[] {
  return [...m.entries()]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1))
    .slice(0, TOP);
}
