// TokenReviewer over the Kubernetes REST API: POST
// /apis/authentication.k8s.io/v1/tokenreviews (RBAC: create tokenreviews).
import type { KubeHttp } from './kube-http.js';
import type { TokenReviewer } from './token-reviewer.js';

interface TokenReviewJson {
  status?: { authenticated?: boolean; error?: string; user?: { username?: string; groups?: string[] } };
}

export function httpsTokenReviewer(http: KubeHttp): TokenReviewer {
  return {
    async review(token) {
      const res = await http.call<TokenReviewJson>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
      });
      const status = res.status ?? {};
      return {
        authenticated: status.authenticated === true,
        ...(status.user?.username ? { username: status.user.username } : {}),
        groups: status.user?.groups ?? [],
        ...(status.error ? { error: status.error } : {}),
      };
    },
  };
}
