// ConfigMapStore over the Kubernetes REST API (kube-http.ts).
import type { ConfigMapStore, StoredConfigMap } from './configmap-store.js';
import { fromConfigMapJson, toConfigMapJson, type ConfigMapJson } from './configmap-json.js';
import type { KubeHttp } from './kube-http.js';

/** Page size for lists: segments are up to ~1 MiB each, so pages stay bounded. */
const LIST_PAGE = 16;

export function httpsConfigMaps(http: KubeHttp, namespace: string): ConfigMapStore {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  const one = (name: string) => `${base}/${encodeURIComponent(name)}`;
  return {
    namespace,
    get: async (name) => fromConfigMapJson(await http.call<ConfigMapJson>('GET', one(name))),
    create: async (cm) => fromConfigMapJson(await http.call<ConfigMapJson>('POST', base, toConfigMapJson(cm, namespace))),
    // PUT with metadata.resourceVersion: the apiserver answers 409 unless it is current.
    replace: async (cm) => fromConfigMapJson(await http.call<ConfigMapJson>('PUT', one(cm.name), toConfigMapJson(cm, namespace, cm.resourceVersion))),
    async list(labelSelector) {
      const out: StoredConfigMap[] = [];
      let cont = '';
      do {
        const q = new URLSearchParams({ labelSelector, limit: String(LIST_PAGE), ...(cont ? { continue: cont } : {}) });
        const page = await http.call<{ items?: ConfigMapJson[]; metadata?: { continue?: string } }>('GET', `${base}?${q.toString()}`);
        for (const item of page.items ?? []) out.push(fromConfigMapJson(item));
        cont = page.metadata?.continue ?? '';
      } while (cont);
      return out;
    },
  };
}
