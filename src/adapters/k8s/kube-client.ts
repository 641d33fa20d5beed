// The client-node API clients selfManaged TLS needs (Secret, Lease, webhook
// configuration), loaded and configured exactly as kube-connection.ts does
// for the audit sink: same kubeconfig rules, per-call deadline, keep-alive.
import { AdmissionregistrationV1Api, CoordinationV1Api, CoreV1Api, type ConfigurationOptions } from '@kubernetes/client-node';
import { callOptions, keepAliveAgent, loadKubeConfig } from './kube-connection.js';

export interface KubeClients {
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  admission: AdmissionregistrationV1Api;
  callOptions: () => ConfigurationOptions;
}

export function kubeClients(kubeconfigPath: string | undefined, requestTimeoutMs = 5_000): KubeClients {
  const { kc } = loadKubeConfig(kubeconfigPath, 'GATE_TLS_MODE=selfManaged needs a Kubernetes API server');
  return {
    core: kc.makeApiClient(CoreV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    admission: kc.makeApiClient(AdmissionregistrationV1Api),
    callOptions: callOptions(requestTimeoutMs, keepAliveAgent(kc)),
  };
}
