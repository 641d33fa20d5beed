// ConfigMapStore over @kubernetes/client-node's CoreV1Api.
import type { ConfigurationOptions, CoreV1Api } from '@kubernetes/client-node';
import { kubeCall as call } from './client-node-errors.js';
import { fromConfigMapJson, toConfigMapJson } from './configmap-json.js';
import type { ConfigMapDeleter, ConfigMapStore, StoredConfigMap } from '../../core/ports/configmaps.js';

/** Page size for lists: segments are up to ~1 MiB each, so pages stay bounded. */
const LIST_PAGE = 16;

export function clientNodeConfigMaps(
  api: CoreV1Api,
  namespace: string,
  options: () => ConfigurationOptions,
): ConfigMapStore & ConfigMapDeleter {
  return {
    namespace,
    get: (name) =>
      call(`get configmap ${namespace}/${name}`, async () =>
        fromConfigMapJson(await api.readNamespacedConfigMap({ name, namespace }, options())),
      ),
    create: (cm) =>
      call(`create configmap ${namespace}/${cm.name}`, async () =>
        fromConfigMapJson(
          await api.createNamespacedConfigMap({ namespace, body: toConfigMapJson(cm, namespace) }, options()),
        ),
      ),
    replace: (cm) =>
      call(`update configmap ${namespace}/${cm.name}`, async () =>
        fromConfigMapJson(
          await api.replaceNamespacedConfigMap(
            { name: cm.name, namespace, body: toConfigMapJson(cm, namespace, cm.resourceVersion) },
            options(),
          ),
        ),
      ),
    delete: (name, resourceVersion) =>
      call(`delete configmap ${namespace}/${name}`, async () => {
        await api.deleteNamespacedConfigMap(
          { name, namespace, body: { preconditions: { resourceVersion } } },
          options(),
        );
      }),
    list: (labelSelector) =>
      call(`list configmaps ${namespace} (${labelSelector})`, async () => {
        const out: StoredConfigMap[] = [];
        let cont: string | undefined;
        do {
          const page = await api.listNamespacedConfigMap(
            { namespace, labelSelector, limit: LIST_PAGE, ...(cont ? { _continue: cont } : {}) },
            options(),
          );
          for (const item of page.items) out.push(fromConfigMapJson(item));
          cont = page.metadata?._continue || undefined;
        } while (cont);
        return out;
      }),
  };
}
