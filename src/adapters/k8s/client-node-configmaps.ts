// ConfigMapStore over @kubernetes/client-node's CoreV1Api.
import {
  Observable,
  type ConfigurationOptions,
  type CoreV1Api,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { kubeCall as call } from './client-node-errors.js';
import { fromConfigMapJson, toConfigMapJson } from './configmap-json.js';
import type {
  ConfigMapDeleter,
  ConfigMapMeta,
  ConfigMapStore,
  StoredConfigMap,
} from '../../core/ports/configmaps.js';

/** Page size for lists: segments are up to ~1 MiB each, so pages stay bounded. */
const LIST_PAGE = 16;
/** Metadata-only pages are ~1 KiB an item. */
const META_PAGE = 500;

/**
 * The apiserver's metadata-only list (what client-go's metadata client
 * asks for): the same list, items without their data. An apiserver (or proxy) that ignores it answers a full list,
 * which parses the same way: only the saving is lost.
 */
export const METADATA_ONLY =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;q=0.9';

function withAccept(base: ConfigurationOptions, accept: string): ConfigurationOptions {
  return {
    ...base,
    middlewareMergeStrategy: 'append',
    middleware: [
      ...(base.middleware ?? []),
      {
        pre(ctx: RequestContext) {
          ctx.setHeaderParam('Accept', accept);
          return new Observable(Promise.resolve(ctx));
        },
        post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
      },
    ],
  };
}

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
    listMeta: (labelSelector) =>
      call(`list configmaps ${namespace} (${labelSelector}, metadata only)`, async () => {
        const out: ConfigMapMeta[] = [];
        let cont: string | undefined;
        do {
          const page = await api.listNamespacedConfigMap(
            { namespace, labelSelector, limit: META_PAGE, ...(cont ? { _continue: cont } : {}) },
            withAccept(options(), METADATA_ONLY),
          );
          for (const item of page.items) {
            const { name, resourceVersion, labels, annotations } = fromConfigMapJson(item);
            out.push({ name, resourceVersion, labels, annotations });
          }
          cont = page.metadata?._continue || undefined;
        } while (cont);
        return out;
      }),
  };
}
