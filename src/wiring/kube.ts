// The gate's one Kubernetes connection, and what is built on it from the
// settings. Every feature that talks to the apiserver (GATE_AUDIT_SINK=configmap,
// GATE_API_TOKEN_REVIEW, GATE_TLS_MODE=selfManaged) shares it: the kubeconfig
// is loaded once, with one per-request deadline and one keep-alive agent.
import { kubeUsers } from '../config/rules.js';
import type { GateConfig } from '../config/schema.js';
import type { Logger } from '../core/ports/runtime.js';
import type { TokenVerifier } from '../adapters/http/auth.js';
import { tokenReviewVerifier } from '../adapters/http/token-review.js';
import { connectKube, type KubeConnection } from '../adapters/k8s/kube-connection.js';

/**
 * The connection, made on first use (a gate that needs no apiserver never
 * loads a kubeconfig) and then kept. A failed load is not kept: it throws
 * again, naming the settings that need the apiserver.
 */
export function kubeOnce(config: GateConfig): () => KubeConnection {
  let kube: KubeConnection | undefined;
  return () =>
    (kube ??= connectKube({
      ...(config.kubeconfig === undefined ? {} : { kubeconfigPath: config.kubeconfig }),
      purpose: `${kubeUsers(config).join(', ') || 'the gate'} needs a Kubernetes API server`,
    }));
}

/** How long an accepted Kubernetes token is trusted before it is reviewed again. */
const TOKEN_REVIEW_CACHE_SECONDS = 30;

/**
 * The TokenReview verifier when GATE_API_TOKEN_REVIEW is on, else undefined.
 * Its allow-list is required by config/rules.ts (checked at load and by createApp).
 */
export function tokenReviewFromConfig(
  config: GateConfig,
  kube: () => KubeConnection,
  logger: Logger,
): TokenVerifier | undefined {
  if (!config.apiTokenReview) return undefined;
  return tokenReviewVerifier(kube().tokenReviewer(), {
    allowedUsers: config.apiAllowedUsers,
    allowedGroups: config.apiAllowedGroups,
    cacheSeconds: TOKEN_REVIEW_CACHE_SECONDS,
    logger,
  });
}
