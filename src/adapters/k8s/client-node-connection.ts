// The client-node variant of connectKube. NOT WIRED: @kubernetes/client-node
// v2 needs undici 8 (Node >= 22.19) and does not load on Node 20; import it
// only on such a runtime (kube-connection.ts uses node:https instead).
import { AuthenticationV1Api, CoreV1Api, KubeConfig, Observable, type ConfigurationOptions, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import { clientNodeConfigMaps } from './client-node-configmaps.js';
import { clientNodeTokenReviewer } from './client-node-token-review.js';
import type { KubeConnection, KubeConnectionOptions } from './kube-connection.js';
import { DEFAULT_KUBE_REQUEST_TIMEOUT_MS } from './kube-connection.js';

export function connectKubeWithClientNode(options: KubeConnectionOptions = {}): KubeConnection {
  const kc = new KubeConfig();
  if (options.kubeconfigPath !== undefined) kc.loadFromFile(options.kubeconfigPath);
  else kc.loadFromCluster();
  const perCall = timeoutOptions(options.requestTimeoutMs ?? DEFAULT_KUBE_REQUEST_TIMEOUT_MS);
  const core = kc.makeApiClient(CoreV1Api);
  const authn = kc.makeApiClient(AuthenticationV1Api);
  return {
    server: kc.getCurrentCluster()?.server ?? '',
    configMaps: (namespace) => clientNodeConfigMaps(core, namespace, perCall),
    tokenReviewer: () => clientNodeTokenReviewer(authn, perCall),
    close: () => undefined,
  };
}

/** Call options that abort each request after `ms` (client-node has no timeout of its own). */
function timeoutOptions(ms: number): () => ConfigurationOptions {
  return () => ({
    middlewareMergeStrategy: 'append',
    middleware: [{
      pre(ctx: RequestContext) {
        ctx.setSignal(AbortSignal.timeout(ms));
        return new Observable(Promise.resolve(ctx));
      },
      post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
    }],
  });
}
