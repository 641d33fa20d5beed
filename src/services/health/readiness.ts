// The health matrix (README "Health"): a replica is ready when it can give
// correct answers and record them. A policy or key reload that failed while
// the last good set is still in force leaves every replica ready (the
// answers are still correct; taking them all out of service would block
// every enforced namespace); it is an alert. A broken audit chain is history
// that no longer verifies: new decisions are still recorded, so the replica
// stays ready and the break is an alert, shown beside readiness as a signal.
// An audit store that refuses writes, no policy set at all, or no serving
// certificate make the replica not ready, and so does a replica that is
// shutting down (it still answers while its endpoint is withdrawn). In
// selfManaged TLS, so does a webhook configuration whose caBundle does not
// (yet) verify the served certificate (`webhook-ca`): the apiserver's calls
// would fail their handshake, so Ready must wait for the leader's injection.
import type { GateContext } from '../gate-context.js';

export interface Check {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ok: boolean;
  checks: Record<string, Check>;
  /** Open alerts by key: shown beside readiness, never part of it (README "Health"). */
  signals?: Record<string, Check>;
}

export interface LifecycleChecks {
  /** The serving certificate's check, when the TLS mode can lack one (selfManaged before a leader wrote it). */
  tls?: Check | undefined;
  /** selfManaged: does the webhook configuration's caBundle verify the served cert? */
  webhookCa?: Check | undefined;
  /** Present once a SIGTERM started the drain. */
  shutdown?: Check | undefined;
}

export function readinessOf(
  gate: Pick<GateContext, 'policies' | 'audit' | 'alerts'>,
  { tls, webhookCa, shutdown }: LifecycleChecks = {},
): Readiness {
  const p = gate.policies.status();
  const set = gate.policies.current();
  const a = gate.audit.health();
  const checks = {
    policies: set
      ? {
          ok: true,
          detail: p.ok
            ? `policy set ${set.digest}`
            : `last good policy set ${set.digest} in force; the latest reload was refused`,
        }
      : { ok: false, detail: `no policy set in force: ${p.errors.join('; ')}` },
    audit: { ok: a.ok, detail: a.detail },
    ...(tls ? { tls } : {}),
    ...(webhookCa ? { 'webhook-ca': webhookCa } : {}),
    ...(shutdown ? { shutdown } : {}),
  };
  const signals: Record<string, Check> = {};
  // /readyz is open: the key and severity only; the message (paths, database names) is behind the token.
  for (const alert of gate.alerts.list())
    signals[alert.key] = {
      ok: false,
      detail: `${alert.severity} alert firing${alert.acknowledged ? ' (acknowledged)' : ''}`,
    };
  return { ok: Object.values(checks).every((c) => c.ok), checks, signals };
}
