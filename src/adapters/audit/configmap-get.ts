// A get that answers "not there" instead of failing: the sink and the read
// index both ask whether a segment still exists (the archiver deletes them).
import type { ConfigMapStore, StoredConfigMap } from '../../core/ports/configmaps.js';
import { isKubeError } from '../../core/ports/kube-errors.js';

/** The ConfigMap, or undefined on 404; every other failure rejects as the store's get does. */
export async function getIfExists(store: ConfigMapStore, name: string): Promise<StoredConfigMap | undefined> {
  try {
    return await store.get(name);
  } catch (e) {
    if (isKubeError(e, 'not-found')) return undefined;
    throw e;
  }
}
