// Folds alert transitions (contracts/alert.ts) into the list an operator
// sees. Pure and order-independent: every replica reads the same records
// from the audit store, in whatever order its walk meets them, and must come
// to the same list. Per key the newest fire/resolve decides whether the alert
// is open (ties broken by event id, so the fold never depends on read order);
// the newest acknowledgement counts when it is not older than the firing it
// acknowledges. The same event folded twice changes nothing.
import type { AlertEvent, AlertKind } from './contracts/alert.js';
import type { Severity } from './contracts/report.js';

export interface AlertAck {
  by: string;
  at: string;
  why: string;
}

export interface AlertState {
  key: string;
  kind: AlertKind;
  severity: Severity;
  message: string;
  status: 'firing' | 'resolved';
  /** When the current (or last) firing began. */
  since: string;
  /** The newest fire or resolve. */
  updated: string;
  resolved_at?: string;
  /** Set while the current firing has been acknowledged. */
  acknowledged?: AlertAck;
  reporter?: string;
  request_id?: string;
}

interface KeyEvents {
  transition: AlertEvent;
  ack?: AlertEvent;
}

function newer(a: AlertEvent, b: AlertEvent | undefined): boolean {
  if (!b) return true;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.event_id > b.event_id;
}

export class AlertFold {
  readonly #keys = new Map<string, KeyEvents>();
  readonly #acksWithoutFire = new Map<string, AlertEvent>();

  /** Applies one event; returns true when the fold changed. */
  add(e: AlertEvent): boolean {
    const at = this.#keys.get(e.key);
    if (e.transition === 'acknowledge') {
      if (!at) {
        if (!newer(e, this.#acksWithoutFire.get(e.key))) return false;
        this.#acksWithoutFire.set(e.key, e);
        return true;
      }
      if (!newer(e, at.ack)) return false;
      at.ack = e;
      return true;
    }
    if (at && !newer(e, at.transition)) return false;
    const ack = at?.ack ?? this.#acksWithoutFire.get(e.key);
    this.#acksWithoutFire.delete(e.key);
    this.#keys.set(e.key, { transition: e, ...(ack ? { ack } : {}) });
    return true;
  }

  get(key: string): AlertState | undefined {
    const k = this.#keys.get(key);
    return k ? stateOf(k) : undefined;
  }

  /** Firing first (unacknowledged before acknowledged, then by severity), then resolved, newest first. */
  list(): AlertState[] {
    const rank: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
    const order = (s: AlertState): number => (s.status === 'firing' ? (s.acknowledged ? 1 : 0) : 2);
    return [...this.#keys.values()]
      .map(stateOf)
      .sort(
        (a, b) =>
          order(a) - order(b) ||
          rank[a.severity] - rank[b.severity] ||
          (a.updated < b.updated ? 1 : a.updated > b.updated ? -1 : 0) ||
          (a.key < b.key ? -1 : 1),
      );
  }
}

function stateOf({ transition: t, ack }: KeyEvents): AlertState {
  const firing = t.transition === 'fire';
  const since = firing ? (t.since ?? t.timestamp) : (t.since ?? t.timestamp);
  const state: AlertState = {
    key: t.key,
    kind: t.kind,
    severity: t.severity,
    message: t.message,
    status: firing ? 'firing' : 'resolved',
    since,
    updated: t.timestamp,
    ...(firing ? {} : { resolved_at: t.timestamp }),
    ...(t.reporter ? { reporter: t.reporter } : {}),
    ...(t.request_id ? { request_id: t.request_id } : {}),
  };
  // An acknowledgement covers the firing it was given for, not a later one.
  if (firing && ack && ack.timestamp >= since)
    state.acknowledged = { by: ack.by ?? 'unknown', at: ack.timestamp, why: ack.why ?? '' };
  return state;
}
