// The readiness check `webhook-ca` of selfManaged TLS: a replica is ready
// only while the webhook configuration it serves carries a caBundle that
// verifies the certificate it serves now. Without it a fresh install's pods
// were Ready before the leader injected the CA, and the apiserver's calls in
// that window failed their TLS handshake (every admission refused).
//
// Cheap: the answer is cached. SelfManagedTls re-reads the configuration on
// its Secret poll (one get per replica per poll interval) and right after a
// new certificate or an injection; a readiness ask that finds no fresh
// answer starts at most one read per minIntervalMs. Fail closed: an answer
// for another certificate, a failing bundle, or a verified answer older than
// maxAgeMs (the reads kept failing) is not ready.
import type { Clock, Logger } from '../../core/ports/runtime.js';
import type { WebhookCaBundle } from '../../core/ports/self-managed-tls.js';
import { describeError } from '../../core/errors.js';
import { untrustedReason } from './webhook-trust.js';

export interface WebhookTrustCheckOptions {
  /** The configuration's name, for the detail. */
  configName: string;
  read(): Promise<WebhookCaBundle[]>;
  clock: Clock;
  logger: Logger;
  /** A verified answer counts this long (ms) without a newer successful read. */
  maxAgeMs: number;
  /** Readiness asks start at most one read per this many ms. */
  minIntervalMs?: number;
}

interface Answer {
  cert: string;
  at: number;
  /** undefined: every webhook trusts `cert`. */
  reason: string | undefined;
}

export class WebhookTrustCheck {
  #answer: Answer | undefined;
  #readError: string | undefined;
  #lastStart = -Infinity;
  #busy: Promise<void> | undefined;

  constructor(private readonly o: WebhookTrustCheckOptions) {}

  /** Reads the configuration and verifies `cert` against it. Coalesced; never throws. */
  check(cert: string): Promise<void> {
    this.#busy ??= this.#check(cert).finally(() => (this.#busy = undefined));
    return this.#busy;
  }

  async #check(cert: string): Promise<void> {
    this.#lastStart = this.#now();
    try {
      const bundles = await this.o.read();
      const reason = untrustedReason(bundles, cert, this.o.clock.now());
      const before = this.#answer;
      this.#answer = { cert, at: this.#now(), reason };
      this.#readError = undefined;
      if (reason === undefined && (before?.reason !== undefined || before?.cert !== cert))
        this.o.logger.info('the webhook configuration trusts the serving certificate', {
          configuration: this.o.configName,
        });
    } catch (e) {
      // Keep the last answer: it stays good until maxAgeMs, then readiness fails closed.
      this.#readError = describeError(e);
    }
  }

  readiness(cert: string | undefined): { ok: boolean; detail: string } {
    const name = `validatingwebhookconfiguration ${this.o.configName}`;
    if (cert === undefined) return { ok: false, detail: `${name}: no serving certificate to verify yet` };
    const a = this.#answer;
    const now = this.#now();
    const age = a ? now - a.at : Infinity;
    if (a && a.cert === cert && a.reason === undefined && age <= this.o.maxAgeMs)
      return { ok: true, detail: `${name}: its caBundle verifies the serving certificate` };
    if (now - this.#lastStart >= (this.o.minIntervalMs ?? 1000)) void this.check(cert);
    const err = this.#readError ? `; last read failed: ${this.#readError}` : '';
    if (!a || a.cert !== cert)
      return { ok: false, detail: `${name}: not yet checked against the serving certificate${err}` };
    if (a.reason !== undefined) return { ok: false, detail: `${name}: ${a.reason}${err}` };
    return {
      ok: false,
      detail: `${name}: last verified ${Math.round(age / 1000)} s ago (more than ${Math.round(this.o.maxAgeMs / 1000)} s)${err}`,
    };
  }

  #now(): number {
    return this.o.clock.now().getTime();
  }
}
