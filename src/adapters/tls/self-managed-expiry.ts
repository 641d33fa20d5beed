// Cert-expiry alert, for every TLS mode (the name only groups it with the
// selfManaged files): a standing `cert-expiry` condition while the serving
// cert expires within 14 days, re-checked on a timer because time passes
// without the cert changing.
import type { Clock } from '../../core/ports/runtime.js';
import type { Alert, AlertBook } from '../../services/alerts.js';

export const EXPIRY_ALERT_MS = 14 * 86_400_000;

export function certExpiryAlert(notAfter: Date, now: Date): Alert | undefined {
  const left = notAfter.getTime() - now.getTime();
  if (left > EXPIRY_ALERT_MS) return undefined;
  const days = Math.max(0, Math.floor(left / 86_400_000));
  return {
    id: 'cert-expiry',
    timestamp: now.toISOString(),
    severity: left <= 0 ? 'critical' : 'high',
    kind: 'cert-expiry',
    message:
      left <= 0
        ? `webhook serving certificate expired at ${notAfter.toISOString()}`
        : `webhook serving certificate expires in ${days} day(s), at ${notAfter.toISOString()}`,
  };
}

export function watchCertExpiry(o: {
  notAfter: () => Date | undefined;
  alerts: AlertBook;
  clock: Clock;
  intervalMs?: number;
}): { check(): void; close(): void } {
  const check = () => {
    const notAfter = o.notAfter();
    if (notAfter) o.alerts.setCondition('cert-expiry', certExpiryAlert(notAfter, o.clock.now()));
  };
  const t = setInterval(check, o.intervalMs ?? 3_600_000);
  t.unref();
  return { check, close: () => clearInterval(t) };
}
