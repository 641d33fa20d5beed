// Builds selfManaged TLS from the gate's settings: the Kubernetes ports for
// its Secret, Lease and webhook configuration (from the gate's one
// connection), the rotation policy and the serving cert's names. Timings can
// be shortened by tests.
import type { GateConfig } from '../config/schema.js';
import type { Clock, Logger } from '../core/ports/runtime.js';
import type { ServingTls } from '../core/ports/self-managed-tls.js';
import type { KubeConnection } from '../adapters/k8s/kube-connection.js';
import { LeaseElector } from '../adapters/k8s/lease-elector.js';
import { SelfManagedTls } from '../adapters/tls/self-managed-manager.js';
import { DEFAULT_ROTATION, type RotationPolicy } from '../adapters/tls/self-managed-plan.js';

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

type Settings = Pick<
  GateConfig,
  'namespace' | 'tlsSecretName' | 'webhookConfigName' | 'leaseName' | 'serviceName' | 'tlsExtraSans'
>;

export function servingSans(c: Settings): string[] {
  const svc = `${c.serviceName}.${c.namespace}.svc`;
  return [
    ...new Set(
      [svc, `${svc}.cluster.local`, ...c.tlsExtraSans].map((s) => s.trim().toLowerCase()).filter(Boolean),
    ),
  ];
}

export function selfManagedTlsFromConfig(
  c: Settings,
  kube: KubeConnection,
  o: SelfManagedFromConfigOptions,
): SelfManagedTls {
  const t = o.timings ?? {};
  const elector = new LeaseElector({
    store: kube.lease(c.namespace, c.leaseName),
    identity: o.identity,
    clock: o.clock,
    logger: o.logger,
    leaseDurationMs: t.leaseDurationMs ?? 15_000,
  });
  return new SelfManagedTls({
    secrets: kube.tlsSecret(c.namespace, c.tlsSecretName),
    elector,
    webhook: kube.webhookCaPatcher(c.webhookConfigName),
    webhookConfigName: c.webhookConfigName,
    clock: o.clock,
    logger: o.logger,
    policy: { ...DEFAULT_ROTATION, ...stripUndefined(t), sans: servingSans(c) },
    onServing: o.onServing,
    ...(t.renewIntervalMs !== undefined ? { renewIntervalMs: t.renewIntervalMs } : {}),
    ...(t.pollIntervalMs !== undefined ? { pollIntervalMs: t.pollIntervalMs } : {}),
  });
}

function stripUndefined(t: SelfManagedTimings): Partial<RotationPolicy> {
  const keys = [
    'caLifetimeMs',
    'servingLifetimeMs',
    'renewFraction',
    'overlapMs',
    'dropPreviousAfterMs',
  ] as const;
  return Object.fromEntries(keys.filter((k) => t[k] !== undefined).map((k) => [k, t[k]]));
}
