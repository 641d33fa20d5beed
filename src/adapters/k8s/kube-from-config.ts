// Kubernetes-backed pieces built from the gate's settings, sharing one
// connection (one kubeconfig load, one HTTP agent) per config.
import type { GateConfig } from '../../config/schema.js';
import { GateError } from '../../core/errors.js';
import type { Logger } from '../../core/ports.js';
import type { TokenVerifier } from '../http/auth.js';
import { tokenReviewVerifier } from '../http/token-review.js';
import { connectKube, type KubeConnection } from './kube-connection.js';

const connections = new WeakMap<GateConfig, KubeConnection>();

export function kubeFromConfig(config: GateConfig): KubeConnection {
  let kube = connections.get(config);
  if (!kube) {
    kube = connectKube(config.kubeconfig === undefined ? {} : { kubeconfigPath: config.kubeconfig });
    connections.set(config, kube);
  }
  return kube;
}

/** How long an accepted Kubernetes token is trusted before it is reviewed again. */
const TOKEN_REVIEW_CACHE_SECONDS = 30;

/**
 * The TokenReview verifier when GATE_API_TOKEN_REVIEW is on, else undefined.
 * An allow-list is required: otherwise every ServiceAccount of the cluster
 * could validate (and read the audit log).
 */
export function tokenReviewFromConfig(config: GateConfig, logger: Logger): TokenVerifier | undefined {
  if (!config.apiTokenReview) return undefined;
  if (config.apiAllowedUsers.length === 0 && config.apiAllowedGroups.length === 0) {
    throw new GateError('config-invalid', 'GATE_API_TOKEN_REVIEW=true needs GATE_API_ALLOWED_USERS or GATE_API_ALLOWED_GROUPS');
  }
  return tokenReviewVerifier(kubeFromConfig(config).tokenReviewer(), {
    allowedUsers: config.apiAllowedUsers, allowedGroups: config.apiAllowedGroups, cacheSeconds: TOKEN_REVIEW_CACHE_SECONDS, logger,
  });
}
