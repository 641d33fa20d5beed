// Alerts an operator must see: blocked decisions of high severity, integrity
// failures, audit problems, policy load errors, certificates near expiry.
// Events are kept in a bounded ring; conditions (policy broken, sink down,
// cert expiring) are live and listed while they hold.
import type { DecisionReport, Severity } from '../core/contracts/report.js';

export type AlertKind = 'decision' | 'integrity' | 'audit-chain' | 'audit-sink' | 'policy-load' | 'key-load' | 'cert-expiry' | 'audit-segments';

export interface Alert {
  id: string;
  timestamp: string;
  severity: Severity;
  kind: AlertKind;
  message: string;
  request_id?: string;
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const INTEGRITY_RULES = /^(config-hash-mismatch|snapshot-|archive-|backup-manifest|wal-|signature-)/;

export class AlertBook {
  readonly #events: Alert[] = [];
  readonly #conditions = new Map<string, Alert>();
  constructor(private readonly capacity = 500, private readonly onRaise: (a: Alert) => void = () => {}) {}

  /** Records an alert for a BLOCK whose worst blocking finding is high or critical. */
  fromDecision(report: DecisionReport): Alert | undefined {
    if (report.decision !== 'BLOCK') return undefined;
    const blocking = report.findings.filter((f) => f.action === 'block');
    const worst = blocking.sort((a, b) => RANK[a.severity] - RANK[b.severity])[0];
    const severity: Severity = worst?.severity ?? 'high';
    if (RANK[severity] > RANK.high) return undefined;
    const integrity = blocking.some((f) => INTEGRITY_RULES.test(f.rule));
    return this.raise({
      id: `decision-${report.request_id}`,
      timestamp: report.timestamp,
      severity,
      kind: integrity ? 'integrity' : 'decision',
      message: `${report.scenario} BLOCK ${describeSubject(report)}: ${report.reasons[0] ?? 'blocked'}`,
      request_id: report.request_id,
    });
  }

  raise(alert: Alert): Alert {
    this.#events.push(alert);
    if (this.#events.length > this.capacity) this.#events.shift();
    this.onRaise(alert);
    return alert;
  }

  /** A standing condition (keyed): set while it holds, cleared when it no longer does. */
  setCondition(key: string, alert: Alert | undefined): void {
    const had = this.#conditions.get(key);
    if (!alert) {
      this.#conditions.delete(key);
      return;
    }
    this.#conditions.set(key, alert);
    if (!had || had.message !== alert.message) this.onRaise(alert);
  }

  list(limit = 100): Alert[] {
    const conditions = [...this.#conditions.values()];
    const events = this.#events.slice(-limit).reverse();
    return [...conditions, ...events].slice(0, limit);
  }
}

function describeSubject(r: DecisionReport): string {
  const s = r.subject;
  if (s.kind && s.name) return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
  if (s.app_id) return `${s.app_id}${s.env ? ` (${s.env})` : ''}`;
  if (s.source_db || s.target_db) return `${s.source_db ?? '?'} -> ${s.target_db ?? '?'}`;
  return 'request';
}
