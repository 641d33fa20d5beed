// The last full walk of the audit log, for the status pages. A walk parses
// and re-hashes every stored record (O(history) CPU on the one event loop),
// so the pages must not start one per view: the result is kept with the
// clock's time and served while it is younger than `maxAgeMs`. When it is
// older, callers still get it at once and one walk starts in the background
// (stale-while-revalidate); only a caller with nothing to show (no walk has
// finished yet) waits. Walks never overlap: a caller arriving during one
// shares it (SingleFlight), whether it was started by a page or by
// GET /api/v1/audit/verify, so the gate walks its log at most once at a
// time however many tabs and CI jobs are looking.
//
// A failed walk (the sink could not be read) is kept only as a failure:
// the pages show it instead of a chain status, and the next call retries.
import { isAlertRecord, type AuditRecord } from '../../core/contracts/audit.js';
import { ActivityTally, type Activity } from '../../core/activity.js';
import { AUDIT_QUERY_MAX_LIMIT, AuditPageSelector } from '../../core/audit-query.js';
import { GateError, isGateError, describeError } from '../../core/errors.js';
import { verifyAudit, type AuditVerification } from './read-audit.js';
import type { GateContext } from '../gate-context.js';
import { SingleFlight } from './single-flight.js';

/** How long a walk's result is served before a view starts the next one. */
export const AUDIT_SNAPSHOT_MAX_AGE_MS = 60_000;
/** Newest decisions kept for the overview. */
export const AUDIT_SNAPSHOT_RECENT = 15;

const HOUR = 3600_000;

/** ALLOW and BLOCK decisions with a timestamp at or after `since`. */
export interface DecisionCounts {
  since: string;
  allow: number;
  block: number;
}

export interface AuditSnapshot {
  /**
   * The clock's time when the walk began: the counts are relative to it, and
   * records appended after it may be missing. Its age is measured from it.
   */
  at: Date;
  chain: AuditVerification;
  /** The newest records in the audit log's order (AuditPageSelector), at most `recent`. */
  recent: AuditRecord[];
  lastHour: DecisionCounts;
  lastDay: DecisionCounts;
  /** The last 24 h in hourly buckets, the rules that blocked most, the busiest namespaces and apps. */
  activity: Activity;
}

export interface AuditSnapshotFailure {
  /** When the failed walk began. */
  at: Date;
  /** Safe to show: a GateError's message, otherwise a pointer to the log (a raw error may hold a path). */
  detail: string;
}

/** What a page may show. */
export interface AuditSnapshotView {
  /** The newest walk that completed; absent when none has. */
  snapshot?: AuditSnapshot;
  /** Set when the newest walk failed (it is newer than `snapshot`): claim nothing about the chain. */
  failure?: AuditSnapshotFailure;
  /** A walk is under way; this view is what was known before it. */
  refreshing: boolean;
}

export interface AuditSnapshotOptions {
  /** Default AUDIT_SNAPSHOT_MAX_AGE_MS. */
  maxAgeMs?: number;
  /** Default AUDIT_SNAPSHOT_RECENT. */
  recent?: number;
  /**
   * A kept result older than this is not shown while a walk replaces it: the
   * view waits for the walk (default 3 × maxAgeMs). Without it the first view
   * after an idle night would show the night-old counts.
   */
  waitWhenOlderThanMs?: number;
}

type Outcome =
  { ok: true; snapshot: AuditSnapshot } | { ok: false; failure: AuditSnapshotFailure; error: unknown };

export class AuditSnapshots {
  readonly maxAgeMs: number;
  readonly recent: number;
  readonly waitWhenOlderThanMs: number;
  readonly #flight = new SingleFlight<Outcome>(() => this.#walk());
  #snapshot: AuditSnapshot | undefined;
  #failure: AuditSnapshotFailure | undefined;

  /** With `alerts`, every walk (a page's or /audit/verify's) raises or clears the `audit-chain` alert. */
  constructor(
    private readonly ctx: Pick<GateContext, 'audit' | 'clock' | 'logger'> &
      Partial<Pick<GateContext, 'alerts'>>,
    opts: AuditSnapshotOptions = {},
  ) {
    this.maxAgeMs = opts.maxAgeMs ?? AUDIT_SNAPSHOT_MAX_AGE_MS;
    this.recent = opts.recent ?? AUDIT_SNAPSHOT_RECENT;
    this.waitWhenOlderThanMs = opts.waitWhenOlderThanMs ?? 3 * this.maxAgeMs;
    // Checked here rather than failing every walk later.
    if (!Number.isInteger(this.recent) || this.recent < 1 || this.recent > AUDIT_QUERY_MAX_LIMIT) {
      throw new GateError(
        'config-invalid',
        `audit snapshot: recent must be an integer from 1 to ${AUDIT_QUERY_MAX_LIMIT}`,
      );
    }
    if (!(this.maxAgeMs >= 0)) throw new GateError('config-invalid', 'audit snapshot: maxAgeMs must be >= 0');
  }

  /**
   * For the pages: the kept result while it is fresh; once it is stale or
   * the newest walk failed, the same answer at once plus one background
   * walk. Waits only when no walk has ever finished.
   */
  async current(): Promise<AuditSnapshotView> {
    if ((!this.#snapshot && !this.#failure) || this.#tooOld()) {
      await this.#flight.run();
    } else if (!this.#fresh()) {
      // Nobody awaits it; #walk turns read errors into a failure outcome anyway.
      this.#flight.run().catch(() => undefined);
    }
    return this.#view();
  }

  /** A walk that starts no earlier than this call, awaited: for tests and anything that must see what it just wrote. */
  async refresh(): Promise<AuditSnapshotView> {
    await this.#flight.next();
    return this.#view();
  }

  /**
   * GET /api/v1/audit/verify: a full verification, never the kept result,
   * and one that started no earlier than the call, so it covers every record
   * durable when it was asked (CI verifies right after its own decisions).
   * Concurrent callers share that walk: N calls cost at most two walks. A
   * read error rejects as it did before.
   */
  async verify(): Promise<AuditVerification> {
    const outcome = await this.#flight.next();
    if (!outcome.ok) throw outcome.error;
    return outcome.snapshot.chain;
  }

  /** Resolves once no walk is under way (tests; nothing waits on it in production). */
  idle(): Promise<void> {
    return this.#flight.idle();
  }

  #fresh(): boolean {
    if (this.#failure || !this.#snapshot) return false;
    const age = this.ctx.clock.now().getTime() - this.#snapshot.at.getTime();
    // A clock that went backwards makes the result stale, not fresh forever.
    return age >= 0 && age < this.maxAgeMs;
  }

  /** Idle for a long time: what is kept is too old to show while the next walk runs. */
  #tooOld(): boolean {
    if (!this.#snapshot || this.#failure) return false;
    const age = this.ctx.clock.now().getTime() - this.#snapshot.at.getTime();
    return age > this.waitWhenOlderThanMs;
  }

  #view(): AuditSnapshotView {
    return {
      ...(this.#snapshot ? { snapshot: this.#snapshot } : {}),
      ...(this.#failure ? { failure: this.#failure } : {}),
      refreshing: this.#flight.busy,
    };
  }

  /** A broken chain is tampering or corruption: it alerts whichever walk found it, not only an API call. */
  #alertOnChain(chain: AuditVerification, at: Date): void {
    this.ctx.alerts?.setCondition(
      'audit-chain',
      chain.ok
        ? undefined
        : {
            timestamp: at.toISOString(),
            severity: 'critical',
            kind: 'audit-chain',
            message: `audit chain broken at ${chain.first_bad?.location ?? '?'}: ${chain.first_bad?.problem ?? ''}`,
          },
    );
  }

  async #walk(): Promise<Outcome> {
    const at = this.ctx.clock.now();
    try {
      const recent = new AuditPageSelector({ limit: this.recent });
      const lastHour = counts(at, HOUR);
      const lastDay = counts(at, 24 * HOUR);
      const activity = new ActivityTally(at, { buckets: 24, bucketMs: HOUR });
      // Each writer's newest record: a per-replica alert of a writer gone silent is resolved (AlertBook.resolveSilentReplicas).
      const lastWrite = new Map<string, string>();
      const chain = await verifyAudit(this.ctx.audit, (r) => {
        const seen = lastWrite.get(r.writer);
        if (seen === undefined || r.timestamp > seen) lastWrite.set(r.writer, r.timestamp);
        // Alert transitions are folded into the alert book (every replica's), not counted as decisions.
        if (isAlertRecord(r)) {
          this.ctx.alerts?.ingest(r);
          return;
        }
        recent.offer(r);
        count(lastHour, r);
        count(lastDay, r);
        activity.offer(r);
      });
      this.ctx.alerts?.prime();
      this.ctx.alerts?.resolveSilentReplicas(lastWrite, at);
      this.#alertOnChain(chain, at);
      void this.ctx.alerts?.flush();
      const snapshot: AuditSnapshot = {
        at,
        chain,
        recent: recent.page().items,
        lastHour,
        lastDay,
        activity: activity.result(),
      };
      this.#snapshot = snapshot;
      this.#failure = undefined;
      return { ok: true, snapshot };
    } catch (error) {
      const failure = {
        at,
        detail: isGateError(error) ? error.message : 'the audit log could not be read; see the gate log',
      };
      this.#failure = failure;
      // Nothing to compare with: report conditions as they stand rather than hold them forever.
      this.ctx.alerts?.prime();
      try {
        this.ctx.logger.error('audit log walk failed', { error: describeError(error) });
      } catch {
        // A failing logger must not turn a failure outcome into a rejection nobody awaits.
      }
      return { ok: false, failure, error };
    }
  }
}

function counts(at: Date, ms: number): DecisionCounts {
  return { since: new Date(at.getTime() - ms).toISOString(), allow: 0, block: 0 };
}

function count(c: DecisionCounts, r: AuditRecord): void {
  if (!(r.timestamp >= c.since)) return;
  if (r.decision === 'ALLOW') c.allow += 1;
  else if (r.decision === 'BLOCK') c.block += 1;
}
