// The client-node API clients selfManaged TLS needs, from GATE_KUBECONFIG (a
// path, out of cluster) or the in-cluster ServiceAccount, plus per-call
// options that abort a request after a deadline (client-node has none).
import { AdmissionregistrationV1Api, CoordinationV1Api, CoreV1Api, KubeConfig, Observable, type ConfigurationOptions, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import { GateError } from '../../core/errors.js';

export interface KubeClients {
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  admission: AdmissionregistrationV1Api;
  callOptions: () => ConfigurationOptions;
}

export function kubeClients(kubeconfigPath: string | undefined, requestTimeoutMs = 5_000): KubeClients {
  const kc = new KubeConfig();
  try {
    if (kubeconfigPath !== undefined) kc.loadFromFile(kubeconfigPath);
    else kc.loadFromCluster();
  } catch (e) {
    throw new GateError('config-invalid', `GATE_KUBECONFIG: cannot load ${kubeconfigPath ?? 'the in-cluster configuration'}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const server = kc.getCurrentCluster()?.server ?? '';
  // loadFromCluster does not fail outside a cluster; it builds https://undefined:undefined.
  if (!/^https?:\/\/[^/]+/.test(server) || server.includes('undefined')) {
    throw new GateError('config-invalid', 'GATE_TLS_MODE=selfManaged needs a Kubernetes API server: not in a cluster and GATE_KUBECONFIG not set');
  }
  return {
    core: kc.makeApiClient(CoreV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    admission: kc.makeApiClient(AdmissionregistrationV1Api),
    callOptions: () => ({
      middlewareMergeStrategy: 'append',
      middleware: [{
        pre(ctx: RequestContext) {
          ctx.setSignal(AbortSignal.timeout(requestTimeoutMs));
          return new Observable(Promise.resolve(ctx));
        },
        post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
      }],
    }),
  };
}
