// Connects to the apiserver from a kubeconfig file (out of cluster,
// GATE_KUBECONFIG) or the Pod's ServiceAccount (in cluster) and hands out
// our own ports. The transport is kube-http.ts (node:https); see there for
// why not @kubernetes/client-node.
import { httpsConfigMaps } from './https-configmaps.js';
import { httpsTokenReviewer } from './https-token-review.js';
import type { ConfigMapStore } from './configmap-store.js';
import { inClusterCredentials, kubeconfigCredentials } from './kube-credentials.js';
import { kubeHttp } from './kube-http.js';
import type { TokenReviewer } from './token-reviewer.js';

export interface KubeConnectionOptions {
  /** Path of a kubeconfig; unset = in cluster. */
  kubeconfigPath?: string;
  /**
   * Per-request deadline (ms). An audit write must fail (and the gate BLOCK)
   * well inside the admission deadline, not hang on a dead apiserver.
   */
  requestTimeoutMs?: number;
}

export interface KubeConnection {
  /** e.g. https://10.0.0.1:443, for logs and health details. */
  readonly server: string;
  configMaps(namespace: string): ConfigMapStore;
  tokenReviewer(): TokenReviewer;
  /** Drops idle keep-alive sockets. */
  close(): void;
}

export const DEFAULT_KUBE_REQUEST_TIMEOUT_MS = 3000;

export function connectKube(options: KubeConnectionOptions = {}): KubeConnection {
  const creds = options.kubeconfigPath === undefined ? inClusterCredentials() : kubeconfigCredentials(options.kubeconfigPath);
  const http = kubeHttp(creds, options.requestTimeoutMs ?? DEFAULT_KUBE_REQUEST_TIMEOUT_MS);
  return {
    server: http.server,
    configMaps: (namespace) => httpsConfigMaps(http, namespace),
    tokenReviewer: () => httpsTokenReviewer(http),
    close: () => http.close(),
  };
}
