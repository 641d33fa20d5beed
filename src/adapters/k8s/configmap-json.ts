// ConfigMap <-> the JSON the apiserver speaks (v1 ConfigMap), for every
// ConfigMapStore implementation.
import type { ConfigMapContent, StoredConfigMap } from '../../core/ports/configmaps.js';
import { KubeError } from '../../core/ports/kube-errors.js';

export interface ConfigMapJson {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  immutable?: boolean;
}

export function toConfigMapJson(
  cm: ConfigMapContent,
  namespace: string,
  resourceVersion?: string,
): ConfigMapJson {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: cm.name,
      namespace,
      labels: { ...cm.labels },
      annotations: { ...cm.annotations },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data: { ...cm.data },
    // Once true the apiserver refuses any change (and a flip back): sealing.
    ...(cm.immutable ? { immutable: true } : {}),
  };
}

export function fromConfigMapJson(cm: ConfigMapJson): StoredConfigMap {
  const name = cm.metadata?.name;
  const resourceVersion = cm.metadata?.resourceVersion;
  if (!name || !resourceVersion)
    throw new KubeError('invalid', 'apiserver returned a ConfigMap without name or resourceVersion');
  return {
    name,
    resourceVersion,
    labels: cm.metadata?.labels ?? {},
    annotations: cm.metadata?.annotations ?? {},
    data: cm.data ?? {},
    immutable: cm.immutable === true,
  };
}
