// TokenReviewer over @kubernetes/client-node's AuthenticationV1Api (POST
// /apis/authentication.k8s.io/v1/tokenreviews; RBAC: create tokenreviews).
import type { AuthenticationV1Api, ConfigurationOptions } from '@kubernetes/client-node';
import { kubeCall } from './client-node-errors.js';
import type { TokenReviewer } from '../../core/ports/token-review.js';

export function clientNodeTokenReviewer(
  api: AuthenticationV1Api,
  options: () => ConfigurationOptions,
): TokenReviewer {
  return {
    async review(token) {
      const res = await kubeCall('create tokenreview', () =>
        api.createTokenReview(
          {
            body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
          },
          options(),
        ),
      );
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
