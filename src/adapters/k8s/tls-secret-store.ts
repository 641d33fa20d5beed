// The TlsSecretStore port over client-node, for the one Secret the gate owns.
// Only get/create/update (RBAC grants exactly that; no list or watch).
// Labels and annotations of others (helm, kubectl) are kept on update.
import { CoreV1Api, type ConfigurationOptions, type V1Secret } from '@kubernetes/client-node';
import type { TlsSecretContent, TlsSecretStore } from '../../core/ports/self-managed-tls.js';
import { kubeCall, kubeGetIfExists } from './client-node-errors.js';

export function clientNodeTlsSecretStore(
  api: CoreV1Api,
  namespace: string,
  name: string,
  options: () => ConfigurationOptions,
): TlsSecretStore {
  let labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'migration-gate' };
  const body = (c: TlsSecretContent, resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name,
      namespace,
      labels,
      annotations: { ...c.annotations },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: Object.fromEntries(
      Object.entries(c.data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
    ),
  });
  return {
    async get() {
      const s = await kubeGetIfExists(`get secret ${namespace}/${name}`, () =>
        api.readNamespacedSecret({ name, namespace }, options()),
      );
      if (!s) return undefined;
      labels = s.metadata?.labels ?? labels;
      return {
        resourceVersion: s.metadata?.resourceVersion ?? '',
        annotations: s.metadata?.annotations ?? {},
        data: Object.fromEntries(
          Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        ),
      };
    },
    async create(c) {
      await kubeCall(`create secret ${namespace}/${name}`, () =>
        api.createNamespacedSecret({ namespace, body: body(c) }, options()),
      );
    },
    async update(c, resourceVersion) {
      await kubeCall(`update secret ${namespace}/${name}`, () =>
        api.replaceNamespacedSecret({ name, namespace, body: body(c, resourceVersion) }, options()),
      );
    },
  };
}
