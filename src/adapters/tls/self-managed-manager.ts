// selfManaged TLS on one replica. Every replica polls the Secret and
// hot-reloads the serving cert when it changes (get only: no watch needed).
// The replica holding the Lease also runs the rotation state machine
// (self-managed-plan.ts) and keeps the webhook configuration's caBundle in
// step with the Secret, re-injecting it when something (a helm upgrade)
// resets it. Every replica also checks, on the same poll, that the
// configuration trusts the cert it serves (webhook-trust-check.ts): until
// then it is not ready.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { Clock, Logger } from '../../core/ports/runtime.js';
import { forgeIssuer, type CertIssuer } from './self-managed-issuer.js';
import { caBundleOf, planRotation, type PlanStep, type RotationPolicy } from './self-managed-plan.js';
import {
  SECRET_KEYS,
  type ServingTls,
  type TlsSecretStore,
  type WebhookCaPatcher,
} from '../../core/ports/self-managed-tls.js';
import { describeError } from '../../core/errors.js';
import { WebhookTrustCheck } from './webhook-trust-check.js';

export interface Elector {
  tryAcquireOrRenew(): Promise<boolean>;
  isLeader(): boolean;
  release(): Promise<void>;
}

export interface SelfManagedTlsOptions {
  secrets: TlsSecretStore;
  elector: Elector;
  webhook: WebhookCaPatcher;
  clock: Clock;
  logger: Logger;
  policy: RotationPolicy;
  issuer?: CertIssuer;
  /** Election + reconcile period (the lease is renewed this often). */
  renewIntervalMs?: number;
  /** How often every replica reads the Secret. */
  pollIntervalMs?: number;
  /** Called with each new serving cert (first load included): the hot-reload hook. */
  onServing(tls: ServingTls): void;
  /** For the detail of the `webhook-ca` check. */
  webhookConfigName?: string;
  /** How long a verified caBundle counts without a newer successful read (default 3 polls + 5 s). */
  trustMaxAgeMs?: number;
}

export class SelfManagedTls {
  #serving: ServingTls | undefined;
  #force = false;
  #confirmed: { bundle: string; at: Date } | undefined;
  #timers: NodeJS.Timeout[] = [];
  #leaderBusy: Promise<PlanStep | undefined> | undefined;
  #lastError: string | undefined;
  readonly #trust: WebhookTrustCheck;

  constructor(private readonly o: SelfManagedTlsOptions) {
    this.#trust = new WebhookTrustCheck({
      configName: o.webhookConfigName ?? 'of the gate',
      read: () => o.webhook.caBundles(),
      clock: o.clock,
      logger: o.logger,
      maxAgeMs: o.trustMaxAgeMs ?? 3 * (o.pollIntervalMs ?? 10_000) + 5_000,
    });
  }

  /** One election round and one poll (so a lone replica serves at once), then the periodic loops. */
  async start(): Promise<void> {
    await this.leaderRound();
    await this.poll();
    const every = (ms: number, f: () => Promise<unknown>) => {
      const t = setInterval(() => void f(), ms);
      t.unref();
      this.#timers.push(t);
    };
    every(this.o.renewIntervalMs ?? 5_000, () => this.leaderRound());
    every(this.o.pollIntervalMs ?? 10_000, () => this.poll());
  }

  async stop(): Promise<void> {
    for (const t of this.#timers.splice(0)) clearInterval(t);
    await this.#leaderBusy;
    await this.o.elector.release();
  }

  current(): ServingTls | undefined {
    return this.#serving;
  }

  /** For /readyz: not ready until a serving cert is loaded. */
  readiness(): { ok: boolean; detail: string } {
    if (this.#serving)
      return { ok: true, detail: `serving cert valid until ${this.#serving.notAfter.toISOString()}` };
    return {
      ok: false,
      detail: `no serving certificate yet${this.#lastError ? `: ${this.#lastError}` : ' (waiting for the leader to create the Secret)'}`,
    };
  }

  /** For /readyz (`webhook-ca`): not ready until the webhook configuration trusts the cert served now. */
  webhookTrust(): { ok: boolean; detail: string } {
    return this.#trust.readiness(this.#serving?.cert);
  }

  /** Re-reads the webhook configuration now (after a load, an injection, on every poll). Never throws. */
  checkWebhookTrust(): Promise<void> {
    return this.#serving ? this.#trust.check(this.#serving.cert) : Promise.resolve();
  }

  /**
   * Starts a CA rotation at the next leader round (and runs that round now if
   * we lead). The rest of the rotation follows on later rounds. For tests and
   * operators; `kubectl annotate secret <name> migrationgate.io/rotate-ca=now`
   * does the same from outside.
   */
  async rotateNow(): Promise<PlanStep | undefined> {
    this.#force = true;
    return this.o.elector.isLeader() ? this.leaderRound() : undefined;
  }

  /** Election, then (as leader) one step of the state machine. Rounds never overlap. */
  leaderRound(): Promise<PlanStep | undefined> {
    this.#leaderBusy ??= this.#leaderRound().finally(() => (this.#leaderBusy = undefined));
    return this.#leaderBusy;
  }

  async #leaderRound(): Promise<PlanStep | undefined> {
    if (!(await this.o.elector.tryAcquireOrRenew())) return undefined;
    const now = this.o.clock.now();
    try {
      const current = await this.o.secrets.get();
      // The bundle first: a switch to the new CA must only follow a confirmed injection.
      if (current) await this.#ensureBundle(caBundleOf(current), now);
      const plan = await planRotation({
        current,
        now,
        policy: this.o.policy,
        issuer: this.o.issuer ?? forgeIssuer,
        forceCaRotation: this.#force,
        ...(current && this.#confirmed?.bundle === caBundleOf(current)
          ? { bundleConfirmedAt: this.#confirmed.at }
          : {}),
      });
      if (!plan.write) return plan.step;
      if (current) await this.o.secrets.update(plan.write, current.resourceVersion);
      else await this.o.secrets.create(plan.write);
      if (plan.step === 'ca-staged' || plan.step === 'created' || plan.step === 'repaired')
        this.#force = false;
      this.o.logger.info('TLS Secret updated', { step: plan.step });
      await this.#ensureBundle(caBundleOf(plan.write), this.o.clock.now());
      this.#load(plan.write.data);
      await this.checkWebhookTrust();
      return plan.step;
    } catch (e) {
      // Conflict (another writer) or apiserver trouble: the next round retries from a fresh read.
      this.o.logger.warn('TLS leader round failed; retrying', { error: describeError(e) });
      return undefined;
    }
  }

  async #ensureBundle(bundle: string, now: Date): Promise<void> {
    const changed = await this.o.webhook.ensureCaBundle(bundle);
    if (changed)
      this.o.logger.info('injected the CA bundle into the webhook configuration', {
        cas: bundle.split('BEGIN CERTIFICATE').length - 1,
      });
    if (changed || this.#confirmed?.bundle !== bundle) this.#confirmed = { bundle, at: now };
    if (changed) await this.checkWebhookTrust();
  }

  /** Reads the Secret and reloads when its serving cert changed. Never throws. */
  async poll(): Promise<void> {
    try {
      const s = await this.o.secrets.get();
      if (s) this.#load(s.data);
    } catch (e) {
      this.#lastError = describeError(e);
      this.o.logger.warn('cannot read the TLS Secret; keeping the current certificate', {
        error: this.#lastError,
      });
    }
    await this.checkWebhookTrust();
  }

  #load(data: Readonly<Record<string, string>>): void {
    const cert = data[SECRET_KEYS.cert],
      key = data[SECRET_KEYS.key];
    if (!cert || !key || cert === this.#serving?.cert) return;
    try {
      const x = new X509Certificate(cert);
      if (!x.checkPrivateKey(createPrivateKey(key))) throw new Error('tls.key does not match tls.crt');
      this.#serving = { key, cert, notAfter: new Date(x.validTo) };
      this.#lastError = undefined;
    } catch (e) {
      this.#lastError = `unusable tls.crt/tls.key in the Secret: ${describeError(e)}`;
      this.o.logger.error(this.#lastError);
      return;
    }
    this.o.logger.info('loaded the webhook serving certificate', {
      not_after: this.#serving.notAfter.toISOString(),
    });
    this.o.onServing(this.#serving);
  }
}
