// Alerts: conditions that need a person, not decisions. A BLOCK of a config
// that breaks a rule is the gate doing its job and stays a decision; an
// alert is an audit chain that no longer verifies, an audit store that fails,
// a policy or key set that would not load (the last good one still in
// force), a certificate near expiry, a checkpoint the witnesses disagree
// with, or a snapshot whose content was tampered with (an integrity incident).
//
// Each alert has a stable key, fires and resolves, is deduplicated (a
// condition that keeps holding is one alert), and can be acknowledged (who,
// when, why). Every transition is written to the audit store as an alert
// record (contracts/alert.ts) and folded (core/alert-state.ts): the book a
// replica shows is the fold of the store's records, which every replica
// walks, plus the transitions it made itself since its last walk. So alerts
// survive restarts and agree across replicas. A transition that cannot be
// written (the audit store is the thing failing) is shown at once and kept
// pending until a write succeeds.
import { AlertFold, type AlertState } from '../core/alert-state.js';
import type { AlertEvent, AlertKind } from '../core/contracts/alert.js';
import type { DecisionReport, Severity } from '../core/contracts/report.js';
import { GateError } from '../core/errors.js';
import type { Clock, IdGenerator, Logger } from '../core/ports/runtime.js';

export type { AlertKind } from '../core/contracts/alert.js';
export type { AlertState } from '../core/alert-state.js';

/** A condition as its watcher describes it; the book turns it into transitions. */
export interface Alert {
  /** Historical; the key passed to setCondition is what identifies the alert. */
  id?: string;
  timestamp: string;
  severity: Severity;
  kind: AlertKind;
  message: string;
  request_id?: string;
}

export interface AlertBookOptions {
  clock?: Clock;
  ids?: IdGenerator;
  /** This replica (the audit writer id): reporter of its transitions, and the scope of per-replica keys. */
  writer?: string;
  /** Durable write of a transition (the audit store); absent: kept in memory only (CLI dry runs, tests). */
  journal?: (event: AlertEvent) => Promise<unknown>;
  logger?: Logger;
  /**
   * A per-replica alert of another replica that has written nothing to the
   * store for this long is resolved by whichever replica walks the store
   * (resolveSilentReplicas). Default 15 minutes.
   */
  silentReplicaMs?: number;
  /** Called once per firing transition (metrics). */
  onFire?: (a: AlertState) => void;
  /**
   * Hears this replica's standing conditions start and end (one gauge per
   * kind, what the chart's PrometheusRule alerts on). Integrity incidents
   * are resolved by a person, not by a condition ending: not reported here.
   */
  onCondition?: (kind: AlertKind, active: boolean) => void;
}

/** Rules whose failure means a snapshot's bytes are not the ones signed off: an integrity incident, not a policy finding. */
const TAMPER_RULES = new Set([
  'snapshot-digest-mismatch',
  'backup-file-checksum-mismatch',
  'backup-manifest-checksum-mismatch',
  'wal-digest-mismatch',
]);

/** Conditions each replica has on its own (its own connection to the store). */
const PER_REPLICA: ReadonlySet<AlertKind> = new Set(['audit-sink']);

let fallbackSeq = 0;
const fallbackIds: IdGenerator = {
  next: () => `alert-${Date.now().toString(36)}-${(fallbackSeq += 1).toString(36)}`,
};
const systemTime: Clock = { now: () => new Date() };

export class AlertBook {
  readonly #fold = new AlertFold();
  readonly #pending: AlertEvent[] = [];
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #writer: string;
  #flushing: Promise<void> | undefined;
  /** Until the first walk of the store (prime), conditions are held: the store may already hold them firing (a restart). */
  #primed: boolean;
  readonly #held = new Map<string, { alert: Alert | undefined; kind: AlertKind }>();

  constructor(private readonly opts: AlertBookOptions = {}) {
    this.#clock = opts.clock ?? systemTime;
    this.#ids = opts.ids ?? fallbackIds;
    this.#writer = opts.writer ?? 'local';
    this.#primed = !opts.journal;
  }

  /**
   * Called after a walk of the audit store has been ingested: conditions
   * reported before it are compared with what the store already says, so a
   * restart neither re-fires (and un-acknowledges) an alert already open nor
   * leaves one open that stopped holding while the gate was down.
   */
  prime(): void {
    if (this.#primed) return;
    this.#primed = true;
    for (const [key, { alert, kind }] of this.#held) this.setCondition(key, alert, kind);
    this.#held.clear();
  }

  get primed(): boolean {
    return this.#primed;
  }

  /** The key a condition of this kind has on this replica. */
  keyFor(key: string, kind: AlertKind): string {
    return PER_REPLICA.has(kind) && !key.includes('/') ? `${key}/${this.#writer}` : key;
  }

  /**
   * A standing condition: `alert` while it holds, undefined once it does not.
   * Fires when it starts holding (or its severity changes), resolves when it
   * stops; repeating the same state writes nothing.
   */
  setCondition(key: string, alert: Alert | undefined, kindHint?: AlertKind): void {
    const kind = alert?.kind ?? kindHint ?? (key.split('/')[0] as AlertKind);
    this.#hear(kind, alert !== undefined);
    const k = this.keyFor(key, kind);
    if (!this.#primed) {
      this.#held.set(k, { alert, kind });
      return;
    }
    const cur = this.#fold.get(k);
    if (alert) {
      if (cur?.status === 'firing' && cur.severity === alert.severity) return;
      const since = cur?.status === 'firing' ? cur.since : this.#now();
      this.#emit({
        key: k,
        transition: 'fire',
        kind,
        severity: alert.severity,
        message: alert.message,
        since,
        ...(alert.request_id ? { request_id: alert.request_id } : {}),
      });
      return;
    }
    if (cur?.status !== 'firing') return;
    this.#emit({
      key: k,
      transition: 'resolve',
      kind: cur.kind,
      severity: cur.severity,
      message: cur.message,
      since: cur.since,
    });
  }

  #hear(kind: AlertKind, active: boolean): void {
    if (kind !== 'snapshot-integrity') this.opts.onCondition?.(kind, active);
  }

  /**
   * A decision that is an integrity incident (a snapshot whose content was
   * tampered with) fires `snapshot-integrity/<digest>`; the same snapshot
   * sent again is the same alert. It stays open until acknowledged and
   * resolved by a person (POST …/resolve): nothing later makes it untrue.
   */
  fromDecision(report: DecisionReport): AlertState | undefined {
    if (report.decision !== 'BLOCK' || report.scenario !== 'T2') return undefined;
    const tampered = report.findings.filter((f) => f.action === 'block' && TAMPER_RULES.has(f.rule));
    if (tampered.length === 0) return undefined;
    const digest = (report.subject.snapshot_digest ?? report.request_id)
      .replace(/[^A-Za-z0-9._:-]/g, '_')
      .slice(0, 160);
    const key = `snapshot-integrity/${digest}`;
    const rules = [...new Set(tampered.map((f) => f.rule))].join(', ');
    const what =
      report.subject.source_db || report.subject.target_db
        ? ` ${report.subject.source_db ?? '?'} -> ${report.subject.target_db ?? '?'}`
        : '';
    this.setCondition(key, {
      timestamp: report.timestamp,
      severity: 'critical',
      kind: 'snapshot-integrity',
      request_id: report.request_id,
      message: `snapshot${what} failed integrity checks (${rules}): its content is not what was signed off`,
    });
    return this.#fold.get(key);
  }

  /** Acknowledges a firing alert: who and why are written to the audit store before this resolves. */
  async acknowledge(key: string, by: string, why: string): Promise<AlertState> {
    const cur = this.#fold.get(key);
    if (cur?.status !== 'firing') throw new GateError('not-found', `no firing alert with key ${key}`);
    const event = this.#event({
      key,
      transition: 'acknowledge',
      kind: cur.kind,
      severity: cur.severity,
      message: cur.message,
      by,
      why,
    });
    await this.#write(event);
    this.#apply(event);
    return this.#fold.get(key) as AlertState;
  }

  /** Closes an incident by hand (an integrity alert nothing else resolves); audited like an acknowledgement. */
  async resolve(key: string, by: string, why: string): Promise<AlertState> {
    const cur = this.#fold.get(key);
    if (cur?.status !== 'firing') throw new GateError('not-found', `no firing alert with key ${key}`);
    const event = this.#event({
      key,
      transition: 'resolve',
      kind: cur.kind,
      severity: cur.severity,
      message: cur.message,
      since: cur.since,
      by,
      why,
    });
    await this.#write(event);
    this.#apply(event);
    return this.#fold.get(key) as AlertState;
  }

  /**
   * Per-replica alerts (audit-sink/<writer>) are that replica's to resolve;
   * a replica that is gone (a deleted pod whose name never returns, a slot
   * no longer held after a scale-down) never will, and its alert would stay
   * open on every replica forever. `lastWrite` is each writer's newest
   * record in the store: a writer silent for silentReplicaMs has its
   * per-replica alerts resolved here, saying why. A replica that is alive
   * but cannot write is not hidden by this: it is not ready (its /readyz
   * answers 503), its own book and gauge keep the condition, and it fires
   * again from there once it can write.
   */
  resolveSilentReplicas(lastWrite: ReadonlyMap<string, string>, now: Date): void {
    const quietMs = this.opts.silentReplicaMs ?? 15 * 60_000;
    const cutoff = now.getTime() - quietMs;
    for (const a of this.#fold.list()) {
      if (a.status !== 'firing' || !PER_REPLICA.has(a.kind)) continue;
      const writer = a.key.slice(a.key.indexOf('/') + 1);
      if (writer === this.#writer || Date.parse(a.since) > cutoff) continue;
      const last = lastWrite.get(writer);
      if (last !== undefined && Date.parse(last) > cutoff) continue;
      this.#emit({
        key: a.key,
        transition: 'resolve',
        kind: a.kind,
        severity: a.severity,
        message: a.message,
        since: a.since,
        by: `replica ${this.#writer}`,
        why: `replica ${writer} has written nothing to the audit store since ${last ?? 'before this alert'} (${Math.round(quietMs / 60_000)} min): gone, or unable to write (then it is not ready and raises it again once it can)`,
      });
    }
  }

  /** A transition read from the audit store (any replica's). */
  ingest(event: AlertEvent): void {
    this.#fold.add(event);
  }

  /** Firing alerts, most urgent first. */
  list(limit = 100): AlertState[] {
    return [
      ...this.#heldStates(),
      ...this.#fold.list().filter((a) => a.status === 'firing' && !this.#held.has(a.key)),
    ].slice(0, limit);
  }

  /** Before priming: held conditions shown as firing, so nothing waits on the first walk to be seen. */
  #heldStates(): AlertState[] {
    const out: AlertState[] = [];
    for (const [key, { alert }] of this.#held) {
      if (!alert) continue;
      out.push({
        key,
        kind: alert.kind,
        severity: alert.severity,
        message: alert.message,
        status: 'firing',
        since: alert.timestamp,
        updated: alert.timestamp,
      });
    }
    return out;
  }

  /** Firing then resolved. */
  all(limit = 200): AlertState[] {
    return this.#fold.list().slice(0, limit);
  }

  get(key: string): AlertState | undefined {
    return this.#fold.get(key);
  }

  /** Transitions not yet durable (the audit store refused them). */
  get pending(): number {
    return this.#pending.length;
  }

  /** Retries pending transitions, oldest first; stops at the first failure. Never rejects. */
  flush(): Promise<void> {
    if (!this.opts.journal || this.#pending.length === 0) return Promise.resolve();
    this.#flushing ??= (async () => {
      try {
        while (this.#pending.length > 0) {
          const next = this.#pending[0] as AlertEvent;
          try {
            await this.#write(next);
          } catch {
            return;
          }
          this.#pending.shift();
        }
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }

  #event(e: Omit<AlertEvent, 'record_type' | 'event_id' | 'timestamp' | 'reporter'>): AlertEvent {
    return {
      record_type: 'alert',
      event_id: this.#ids.next(),
      timestamp: this.#now(),
      reporter: this.#writer,
      ...e,
    };
  }

  #emit(e: Omit<AlertEvent, 'record_type' | 'event_id' | 'timestamp' | 'reporter'>): void {
    const event = this.#event(e);
    this.#apply(event);
    if (!this.opts.journal) return;
    const queued = this.#pending.length > 0;
    this.#pending.push(event);
    // In order: a transition never overtakes one still pending.
    if (!queued) void this.flush();
  }

  async #write(event: AlertEvent): Promise<void> {
    if (!this.opts.journal) return;
    await this.opts.journal(event);
  }

  #apply(event: AlertEvent): void {
    if (!this.#fold.add(event)) return;
    const state = this.#fold.get(event.key);
    this.#log(event);
    if (event.transition === 'fire' && state) this.opts.onFire?.(state);
  }

  /** One structured line per transition: the key, never anything but the alert's own message. */
  #log(e: AlertEvent): void {
    const log = this.opts.logger;
    if (!log) return;
    const fields = {
      alert_key: e.key,
      transition: e.transition,
      kind: e.kind,
      severity: e.severity,
      message: e.message,
      ...(e.by ? { by: e.by } : {}),
      ...(e.why ? { why: e.why } : {}),
      ...(e.request_id ? { request_id: e.request_id } : {}),
    };
    if (e.transition === 'fire') log.error('alert fired', fields);
    else log.info(e.transition === 'resolve' ? 'alert resolved' : 'alert acknowledged', fields);
  }
}
