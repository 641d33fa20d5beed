// ConfigMapStore over client-node's CoreV1Api.
import type { ConfigurationOptions, CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { toKubeError } from './client-node-errors.js';
import type { ConfigMapContent, ConfigMapStore, StoredConfigMap } from './configmap-store.js';
import { KubeError } from './kube-errors.js';

/** Page size for lists: segments are up to ~1 MiB each, so pages stay bounded. */
const LIST_PAGE = 16;

export function clientNodeConfigMaps(api: CoreV1Api, namespace: string, options: () => ConfigurationOptions): ConfigMapStore {
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw toKubeError(e, what);
    }
  };
  return {
    namespace,
    get: (name) => call(`get configmap ${namespace}/${name}`, async () =>
      fromV1(await api.readNamespacedConfigMap({ name, namespace }, options()))),
    create: (cm) => call(`create configmap ${namespace}/${cm.name}`, async () =>
      fromV1(await api.createNamespacedConfigMap({ namespace, body: toV1(cm, namespace) }, options()))),
    replace: (cm) => call(`update configmap ${namespace}/${cm.name}`, async () =>
      fromV1(await api.replaceNamespacedConfigMap({ name: cm.name, namespace, body: toV1(cm, namespace, cm.resourceVersion) }, options()))),
    list: (labelSelector) => call(`list configmaps ${namespace} (${labelSelector})`, async () => {
      const out: StoredConfigMap[] = [];
      let cont: string | undefined;
      do {
        const page = await api.listNamespacedConfigMap({ namespace, labelSelector, limit: LIST_PAGE, ...(cont ? { _continue: cont } : {}) }, options());
        for (const item of page.items) out.push(fromV1(item));
        cont = page.metadata?._continue || undefined;
      } while (cont);
      return out;
    }),
  };
}

function toV1(cm: ConfigMapContent, namespace: string, resourceVersion?: string): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: cm.name, namespace, labels: { ...cm.labels }, annotations: { ...cm.annotations },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data: { ...cm.data },
    ...(cm.immutable ? { immutable: true } : {}),
  };
}

function fromV1(cm: V1ConfigMap): StoredConfigMap {
  const name = cm.metadata?.name;
  const resourceVersion = cm.metadata?.resourceVersion;
  if (!name || !resourceVersion) throw new KubeError('invalid', 'apiserver returned a ConfigMap without name or resourceVersion');
  return {
    name,
    resourceVersion,
    labels: cm.metadata?.labels ?? {},
    annotations: cm.metadata?.annotations ?? {},
    data: cm.data ?? {},
    immutable: cm.immutable === true,
  };
}
