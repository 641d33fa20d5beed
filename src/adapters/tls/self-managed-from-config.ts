// Builds selfManaged TLS from the gate's settings: the Kubernetes adapters
// for its Secret, Lease and webhook configuration, the rotation policy and
// the serving cert's names. Timings can be shortened by tests.
import type { GateConfig } from '../../config/schema.js';
import type { Clock, Logger } from '../../core/ports.js';
import { kubeClients } from '../k8s/kube-client.js';
import { LeaseElector, clientNodeLeaseStore } from '../k8s/lease-elector.js';
import { clientNodeTlsSecretStore } from '../k8s/tls-secret-store.js';
import { clientNodeWebhookCaPatcher } from '../k8s/webhook-ca-injector.js';
import { SelfManagedTls } from './self-managed-manager.js';
import { DEFAULT_ROTATION, type RotationPolicy } from './self-managed-plan.js';
import type { ServingTls } from './self-managed-ports.js';

export interface SelfManagedTimings extends Partial<Omit<RotationPolicy, 'sans'>> {
  renewIntervalMs?: number;
  pollIntervalMs?: number;
  leaseDurationMs?: number;
}

export interface SelfManagedFromConfigOptions {
  identity: string;
  clock: Clock;
  logger: Logger;
  onServing(tls: ServingTls): void;
  timings?: SelfManagedTimings;
}

type Settings = Pick<GateConfig, 'kubeconfig' | 'namespace' | 'tlsSecretName' | 'webhookConfigName' | 'leaseName' | 'serviceName' | 'tlsExtraSans'>;

export function servingSans(c: Settings): string[] {
  const svc = `${c.serviceName}.${c.namespace}.svc`;
  return [...new Set([svc, `${svc}.cluster.local`, ...c.tlsExtraSans].map((s) => s.trim().toLowerCase()).filter(Boolean))];
}

export function selfManagedTlsFromConfig(c: Settings, o: SelfManagedFromConfigOptions): SelfManagedTls {
  const k = kubeClients(c.kubeconfig);
  const t = o.timings ?? {};
  const elector = new LeaseElector({
    store: clientNodeLeaseStore(k.coordination, c.namespace, c.leaseName, k.callOptions),
    identity: o.identity, clock: o.clock, logger: o.logger, leaseDurationMs: t.leaseDurationMs ?? 15_000,
  });
  return new SelfManagedTls({
    secrets: clientNodeTlsSecretStore(k.core, c.namespace, c.tlsSecretName, k.callOptions),
    elector,
    webhook: clientNodeWebhookCaPatcher(k.admission, c.webhookConfigName, k.callOptions),
    clock: o.clock,
    logger: o.logger,
    policy: { ...DEFAULT_ROTATION, ...stripUndefined(t), sans: servingSans(c) },
    onServing: o.onServing,
    ...(t.renewIntervalMs !== undefined ? { renewIntervalMs: t.renewIntervalMs } : {}),
    ...(t.pollIntervalMs !== undefined ? { pollIntervalMs: t.pollIntervalMs } : {}),
  });
}

function stripUndefined(t: SelfManagedTimings): Partial<RotationPolicy> {
  const keys = ['caLifetimeMs', 'servingLifetimeMs', 'renewFraction', 'overlapMs', 'dropPreviousAfterMs'] as const;
  return Object.fromEntries(keys.filter((k) => t[k] !== undefined).map((k) => [k, t[k]]));
}
