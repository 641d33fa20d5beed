// The TlsSecretStore port over client-node, for the one Secret the gate owns.
// Only get/create/update (RBAC grants exactly that; no list or watch).
// Labels and annotations of others (helm, kubectl) are kept on update.
import { CoreV1Api, type ConfigurationOptions, type V1Secret } from '@kubernetes/client-node';
import type { TlsSecretContent, TlsSecretStore } from '../tls/self-managed-ports.js';
import { toKubeError } from './client-node-errors.js';

export function clientNodeTlsSecretStore(api: CoreV1Api, namespace: string, name: string, options: () => ConfigurationOptions): TlsSecretStore {
  let labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'migration-gate' };
  const body = (c: TlsSecretContent, resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace, labels, annotations: { ...c.annotations }, ...(resourceVersion ? { resourceVersion } : {}) },
    data: Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  });
  return {
    async get() {
      try {
        const s = await api.readNamespacedSecret({ name, namespace }, options());
        labels = s.metadata?.labels ?? labels;
        return {
          resourceVersion: s.metadata?.resourceVersion ?? '',
          annotations: s.metadata?.annotations ?? {},
          data: Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])),
        };
      } catch (e) {
        const err = toKubeError(e, `get secret ${namespace}/${name}`);
        if (err.kind === 'not-found') return undefined;
        throw err;
      }
    },
    async create(c) {
      try {
        await api.createNamespacedSecret({ namespace, body: body(c) }, options());
      } catch (e) {
        throw toKubeError(e, `create secret ${namespace}/${name}`);
      }
    },
    async update(c, resourceVersion) {
      try {
        await api.replaceNamespacedSecret({ name, namespace, body: body(c, resourceVersion) }, options());
      } catch (e) {
        throw toKubeError(e, `update secret ${namespace}/${name}`);
      }
    },
  };
}
