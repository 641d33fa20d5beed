// The few ConfigMap operations the gate needs, as a port of our own: the
// audit sink is written and unit-tested against this, and only
// adapters/k8s/client-node-configmaps.ts knows how it maps onto the Kubernetes client.
// Every method rejects with a KubeError.

export interface ConfigMapContent {
  name: string;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  data: Readonly<Record<string, string>>;
  immutable: boolean;
}

/** A ConfigMap as read back: its resourceVersion makes the next replace optimistic. */
export interface StoredConfigMap extends ConfigMapContent {
  resourceVersion: string;
}

/**
 * A ConfigMap without its data (a metadata-only list): enough to tell which
 * objects changed (every change moves the resourceVersion) without
 * transferring their bytes.
 */
export type ConfigMapMeta = Pick<StoredConfigMap, 'name' | 'resourceVersion' | 'labels' | 'annotations'>;

/** One namespace's ConfigMaps. */
export interface ConfigMapStore {
  readonly namespace: string;
  get(name: string): Promise<StoredConfigMap>;
  /** Rejects with `conflict` when the name exists. */
  create(cm: ConfigMapContent): Promise<StoredConfigMap>;
  /** Optimistic: rejects with `conflict` unless `resourceVersion` is still current. */
  replace(cm: StoredConfigMap): Promise<StoredConfigMap>;
  /** Every ConfigMap matching the label selector (all pages), in no particular order. */
  list(labelSelector: string): Promise<StoredConfigMap[]>;
  /** The same objects without their data (all pages), in no particular order. */
  listMeta(labelSelector: string): Promise<ConfigMapMeta[]>;
}

/**
 * Deleting, for the archiver only: the gate's own ServiceAccount has no
 * delete verb, so the audit sink is never handed this. The precondition
 * makes a delete remove exactly the version that was exported.
 */
export interface ConfigMapDeleter {
  /** Rejects with `conflict` when the object changed since `resourceVersion`, `not-found` when it is gone. */
  delete(name: string, resourceVersion: string): Promise<void>;
}
