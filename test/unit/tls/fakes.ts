// In-memory fakes of the selfManaged TLS ports, with the apiserver's
// optimistic-concurrency behaviour (409 on a stale resourceVersion or an
// existing name), so the state machine is tested against the same rules.
import { X509Certificate } from 'node:crypto';
import { KubeError } from '../../../src/core/ports/kube-errors.js';
import type {
  LeaseRecord,
  LeaseStore,
  StoredLease,
  StoredTlsSecret,
  TlsSecretContent,
  TlsSecretStore,
  WebhookCaBundle,
  WebhookCaPatcher,
} from '../../../src/core/ports/self-managed-tls.js';
import type { Clock } from '../../../src/core/ports/runtime.js';

export class ManualClock implements Clock {
  constructor(public ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class FakeSecretStore implements TlsSecretStore {
  stored: StoredTlsSecret | undefined;
  writes = 0;
  #rv = 0;
  failNext: KubeError | undefined;

  async get(): Promise<StoredTlsSecret | undefined> {
    this.#maybeFail();
    return this.stored && structuredClone(this.stored);
  }
  async create(c: TlsSecretContent): Promise<void> {
    this.#maybeFail();
    if (this.stored) throw new KubeError('conflict', 'already exists', 409);
    this.#put(c);
  }
  async update(c: TlsSecretContent, resourceVersion: string): Promise<void> {
    this.#maybeFail();
    if (!this.stored) throw new KubeError('not-found', 'not found', 404);
    if (this.stored.resourceVersion !== resourceVersion) throw new KubeError('conflict', 'stale', 409);
    this.#put(c);
  }
  #put(c: TlsSecretContent): void {
    this.writes++;
    this.stored = {
      data: { ...c.data },
      annotations: { ...c.annotations },
      resourceVersion: String(++this.#rv),
    };
  }
  #maybeFail(): void {
    const e = this.failNext;
    this.failNext = undefined;
    if (e) throw e;
  }
}

export class FakeLeaseStore implements LeaseStore {
  stored: StoredLease | undefined;
  #rv = 0;
  async get(): Promise<StoredLease | undefined> {
    return this.stored && { ...this.stored };
  }
  async create(r: LeaseRecord): Promise<void> {
    if (this.stored) throw new KubeError('conflict', 'already exists', 409);
    this.stored = { ...r, resourceVersion: String(++this.#rv) };
  }
  async update(r: LeaseRecord, resourceVersion: string): Promise<void> {
    if (this.stored?.resourceVersion !== resourceVersion) throw new KubeError('conflict', 'stale', 409);
    this.stored = { ...r, resourceVersion: String(++this.#rv) };
  }
}

/** A ValidatingWebhookConfiguration with two webhooks; records every bundle it was given. */
export class FakeWebhookPatcher implements WebhookCaPatcher {
  bundles = ['', ''];
  history: string[] = [];
  failing = false;
  calls = 0;
  /** Call numbers (1-based) that fail, to place a failure between two steps. */
  failCalls = new Set<number>();
  async ensureCaBundle(bundlePem: string): Promise<boolean> {
    this.calls++;
    if (this.failing || this.failCalls.has(this.calls)) throw new KubeError('unavailable', 'apiserver down');
    if (this.missing) throw new KubeError('not-found', 'validatingwebhookconfigurations not found', 404);
    if (this.bundles.every((b) => b === bundlePem)) return false;
    this.bundles = this.bundles.map(() => bundlePem);
    this.history.push(bundlePem);
    return true;
  }
  reads = 0;
  /** The configuration does not exist yet (helm has not created it): reads fail like a 404. */
  missing = false;
  async caBundles(): Promise<WebhookCaBundle[]> {
    this.reads++;
    if (this.failing) throw new KubeError('unavailable', 'apiserver down');
    if (this.missing) throw new KubeError('not-found', 'validatingwebhookconfigurations not found', 404);
    return this.bundles.map((pem, i) => ({ name: `w${i}.migrationgate.io`, pem }));
  }
}

export function pemsOf(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Would a client trusting `bundle` accept `cert`? (One level: the gate's CAs sign directly.) */
export function trusts(bundle: string, cert: string): boolean {
  const leaf = new X509Certificate(cert);
  return pemsOf(bundle).some((ca) => leaf.verify(new X509Certificate(ca).publicKey));
}
