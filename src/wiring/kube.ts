// The gate's one Kubernetes connection, and what is built on it from the
// settings. Every feature that talks to the apiserver (GATE_AUDIT_SINK=configmap,
// GATE_API_TOKEN_REVIEW, GATE_TLS_MODE=selfManaged) shares it: the kubeconfig
// is loaded once, with one per-request deadline and one keep-alive agent.
import type { GateConfig } from '../config/schema.js';
import { GateError } from '../core/errors.js';
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
  return () => (kube ??= connectKube({
    ...(config.kubeconfig === undefined ? {} : { kubeconfigPath: config.kubeconfig }),
    purpose: `${kubeUsers(config).join(', ') || 'the gate'} needs a Kubernetes API server`,
  }));
}

function kubeUsers(config: GateConfig): string[] {
  return [
    ...(config.auditSink === 'configmap' ? ['GATE_AUDIT_SINK=configmap'] : []),
    ...(config.apiTokenReview ? ['GATE_API_TOKEN_REVIEW=true'] : []),
    ...(config.tlsMode === 'selfManaged' ? ['GATE_TLS_MODE=selfManaged'] : []),
  ];
}

/** How long an accepted Kubernetes token is trusted before it is reviewed again. */
const TOKEN_REVIEW_CACHE_SECONDS = 30;

/**
 * The TokenReview verifier when GATE_API_TOKEN_REVIEW is on, else undefined.
 * An allow-list is required: otherwise every ServiceAccount of the cluster
 * could validate (and read the audit log).
 */
export function tokenReviewFromConfig(config: GateConfig, kube: () => KubeConnection, logger: Logger): TokenVerifier | undefined {
  if (!config.apiTokenReview) return undefined;
  if (config.apiAllowedUsers.length === 0 && config.apiAllowedGroups.length === 0) {
    throw new GateError('config-invalid', 'GATE_API_TOKEN_REVIEW=true needs GATE_API_ALLOWED_USERS or GATE_API_ALLOWED_GROUPS');
  }
  return tokenReviewVerifier(kube().tokenReviewer(), {
    allowedUsers: config.apiAllowedUsers, allowedGroups: config.apiAllowedGroups, cacheSeconds: TOKEN_REVIEW_CACHE_SECONDS, logger,
  });
}
