// The only place that loads @kubernetes/client-node: a kubeconfig file
// (out of cluster, GATE_KUBECONFIG) or the in-cluster ServiceAccount
// (projected token, re-read by client-node as it rotates). Hands out our own
// ports (core/ports/); nothing of client-node leaks past this directory. One
// connection serves everything the gate asks of the apiserver (audit
// ConfigMaps, TokenReview, selfManaged TLS's Secret, Lease and webhook
// configuration): one kubeconfig load, one keep-alive agent, one deadline.
//
// client-node 2.x sends with undici (Node >= 22.19; the gate runs on 24), so
// the transport is an undici Dispatcher: undici is imported here only, as
// client-node's own transport, never on its own.
import type { RequestOptions } from 'node:https';
import {
  AdmissionregistrationV1Api,
  AuthenticationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  type ConfigurationOptions,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { Agent, type Dispatcher } from 'undici';
import { GateError, describeError } from '../../core/errors.js';
import { clientNodeConfigMaps } from './client-node-configmaps.js';
import { clientNodeTokenReviewer } from './client-node-token-review.js';
import type { ConfigMapDeleter, ConfigMapStore } from '../../core/ports/configmaps.js';
import type { LeaseStore, TlsSecretStore, WebhookCaPatcher } from '../../core/ports/self-managed-tls.js';
import type { TokenReviewer } from '../../core/ports/token-review.js';
import { clientNodeLeaseStore } from './lease-elector.js';
import { clientNodeTlsSecretStore } from './tls-secret-store.js';
import { clientNodeWebhookCaPatcher } from './webhook-ca-injector.js';

export interface KubeConnectionOptions {
  /** Path of a kubeconfig; unset = in cluster. */
  kubeconfigPath?: string;
  /**
   * Per-request deadline (ms). An audit write must fail (and the gate BLOCK)
   * well inside the admission deadline, not hang on a dead apiserver.
   */
  requestTimeoutMs?: number;
  /** Opens the error when there is no API server to talk to, e.g. `GATE_AUDIT_SINK=configmap needs a Kubernetes API server`. */
  purpose?: string;
}

export interface KubeConnection {
  /** e.g. https://10.0.0.1:443, for logs and health details. */
  readonly server: string;
  configMaps(namespace: string): ConfigMapStore;
  /** The same store with delete, for the archiver (its own ServiceAccount); the gate never asks for it. */
  archivableConfigMaps(namespace: string): ConfigMapStore & ConfigMapDeleter;
  tokenReviewer(): TokenReviewer;
  /** selfManaged TLS: the one Secret holding the CA and serving cert. */
  tlsSecret(namespace: string, name: string): TlsSecretStore;
  /** selfManaged TLS: the Lease electing the replica that issues certificates. */
  lease(namespace: string, name: string): LeaseStore;
  /** selfManaged TLS: the caBundle of the gate's own ValidatingWebhookConfiguration. */
  webhookCaPatcher(name: string): WebhookCaPatcher;
}

export const DEFAULT_KUBE_REQUEST_TIMEOUT_MS = 3000;

export function connectKube(options: KubeConnectionOptions = {}): KubeConnection {
  const { kc, server } = loadKubeConfig(
    options.kubeconfigPath,
    options.purpose ?? 'no Kubernetes API server',
  );
  const perCall = callOptions(
    options.requestTimeoutMs ?? DEFAULT_KUBE_REQUEST_TIMEOUT_MS,
    keepAliveAgent(kc),
  );
  const core = kc.makeApiClient(CoreV1Api);
  const authn = kc.makeApiClient(AuthenticationV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  return {
    server,
    configMaps: (namespace) => clientNodeConfigMaps(core, namespace, perCall),
    archivableConfigMaps: (namespace) => clientNodeConfigMaps(core, namespace, perCall),
    tokenReviewer: () => clientNodeTokenReviewer(authn, perCall),
    tlsSecret: (namespace, name) => clientNodeTlsSecretStore(core, namespace, name, perCall),
    lease: (namespace, name) => clientNodeLeaseStore(coordination, namespace, name, perCall),
    webhookCaPatcher: (name) => clientNodeWebhookCaPatcher(admission, name, perCall),
  };
}

/**
 * A kubeconfig file, or the in-cluster ServiceAccount when no path is given.
 * `missing` opens the error when there is no API server to talk to.
 */
export function loadKubeConfig(
  kubeconfigPath: string | undefined,
  missing: string,
): { kc: KubeConfig; server: string } {
  const kc = new KubeConfig();
  try {
    if (kubeconfigPath !== undefined) kc.loadFromFile(kubeconfigPath);
    else kc.loadFromCluster();
  } catch (e) {
    throw new GateError(
      'config-invalid',
      `GATE_KUBECONFIG: cannot load ${kubeconfigPath ?? 'the in-cluster configuration'}: ${describeError(e)}`,
      undefined,
      { cause: e },
    );
  }
  const server = kc.getCurrentCluster()?.server ?? '';
  // loadFromCluster does not fail outside a cluster; it builds https://undefined:undefined.
  if (!/^https?:\/\/[^/]+/.test(server) || server.includes('undefined')) {
    throw new GateError(
      'config-invalid',
      `${missing}: not running in a cluster (KUBERNETES_SERVICE_HOST unset) and GATE_KUBECONFIG not set`,
    );
  }
  return { kc, server };
}

/**
 * client-node (1.x and 2.x alike) builds a new agent (2.x: an undici Agent)
 * for every request, so every audit write would pay a TCP + TLS handshake.
 * One keep-alive dispatcher with the same TLS material (CA, client cert) is
 * reused instead; the bearer token is still set per request by client-node,
 * so token rotation keeps working. Clusters behind a proxy keep
 * client-node's own dispatcher.
 */
export function keepAliveAgent(kc: KubeConfig): (() => Promise<Dispatcher>) | undefined {
  if (kc.getCurrentCluster()?.proxyUrl) return undefined;
  let agent: Promise<Dispatcher> | undefined;
  return () =>
    (agent ??= (async () => {
      const o: RequestOptions = {};
      await kc.applyToHTTPSOptions(o);
      return new Agent({
        connections: 8,
        // HTTP/1.1 only (undici 8 would negotiate HTTP/2): a request that times
        // out then takes its connection down with it, so the next write, or the
        // re-read that settles a lost answer, starts on a fresh one. On one
        // multiplexed HTTP/2 connection a stalled or corrupted stream would fail
        // every request behind it until the connection itself is noticed dead.
        allowH2: false,
        connect: {
          ...(o.ca ? { ca: o.ca } : {}),
          ...(o.cert ? { cert: o.cert } : {}),
          ...(o.key ? { key: o.key } : {}),
          ...(o.servername ? { servername: o.servername } : {}),
          ...(o.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
        },
      });
    })());
}

/** Per-call options: abort after `ms` (client-node has no timeout of its own), reuse the keep-alive dispatcher. */
export function callOptions(
  ms: number,
  agent: (() => Promise<Dispatcher>) | undefined,
): () => ConfigurationOptions {
  return () => ({
    middlewareMergeStrategy: 'append',
    middleware: [
      {
        pre(ctx: RequestContext) {
          ctx.setSignal(AbortSignal.timeout(ms));
          return new Observable(
            (async () => {
              if (agent) ctx.setDispatcher(await agent());
              return ctx;
            })(),
          );
        },
        post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
      },
    ],
  });
}
