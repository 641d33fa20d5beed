// In-memory ConfigMapStore with the apiserver's rules that the audit sink
// relies on (resourceVersion preconditions, AlreadyExists, immutable
// ConfigMaps) and injectable faults. Not a *.test.ts: mocha does not run it.
import type {
  ConfigMapContent,
  ConfigMapMeta,
  ConfigMapDeleter,
  ConfigMapStore,
  StoredConfigMap,
} from '../../../src/core/ports/configmaps.js';
import { KubeError, type KubeErrorKind } from '../../../src/core/ports/kube-errors.js';

export type Op = 'get' | 'create' | 'replace' | 'list' | 'listMeta' | 'delete';

/**
 * `before`: fail without applying. `after`: apply, then lose the answer
 * (the apiserver wrote it; the client saw a timeout).
 */
export interface Fault {
  op: Op;
  kind: KubeErrorKind;
  when?: 'before' | 'after';
  /** Also run this just before failing (e.g. take the store down). */
  then?: () => void;
}

export class FakeConfigMapStore implements ConfigMapStore, ConfigMapDeleter {
  readonly namespace = 'gate-ns';
  readonly objects = new Map<string, StoredConfigMap>();
  readonly calls: { op: Op; name?: string }[] = [];
  /** Bytes of `records.jsonl` handed out by get and list: what a read transferred. */
  dataBytes = 0;
  faults: Fault[] = [];
  down = false;
  #rv = 100;

  writes(): number {
    return this.calls.filter((c) => c.op === 'create' || c.op === 'replace').length;
  }

  /** Another client touched the object: its resourceVersion moves on. */
  bump(name: string): void {
    const cm = this.objects.get(name);
    if (cm) this.objects.set(name, { ...cm, resourceVersion: String(++this.#rv) });
  }

  /** Edits stored annotations behind the sink's back (an update moves the resourceVersion). */
  annotate(name: string, annotations: Record<string, string>): void {
    const cm = this.objects.get(name)!;
    this.objects.set(name, {
      ...cm,
      annotations: { ...cm.annotations, ...annotations },
      resourceVersion: String(++this.#rv),
    });
  }

  /** Edits stored data behind the sink's back. */
  edit(name: string, f: (text: string) => string): void {
    const cm = this.objects.get(name)!;
    this.objects.set(name, {
      ...cm,
      data: { ...cm.data, 'records.jsonl': f(cm.data['records.jsonl'] ?? '') },
      resourceVersion: String(++this.#rv),
    });
  }

  async get(name: string): Promise<StoredConfigMap> {
    return this.#op('get', name, () => {
      const cm = this.objects.get(name);
      if (!cm) throw new KubeError('not-found', `configmaps "${name}" not found`, 404);
      this.dataBytes += recordsLength(cm);
      return clone(cm);
    });
  }

  async create(cm: ConfigMapContent): Promise<StoredConfigMap> {
    return this.#op('create', cm.name, () => {
      if (this.objects.has(cm.name))
        throw new KubeError('conflict', `configmaps "${cm.name}" already exists`, 409);
      const stored = { ...clone(cm), resourceVersion: String(++this.#rv) };
      this.objects.set(cm.name, stored);
      return clone(stored);
    });
  }

  async replace(cm: StoredConfigMap): Promise<StoredConfigMap> {
    return this.#op('replace', cm.name, () => {
      const old = this.objects.get(cm.name);
      if (!old) throw new KubeError('not-found', `configmaps "${cm.name}" not found`, 404);
      if (old.resourceVersion !== cm.resourceVersion)
        throw new KubeError('conflict', 'the object has been modified', 409);
      if (old.immutable) {
        if (JSON.stringify(old.data) !== JSON.stringify(cm.data) || !cm.immutable)
          throw new KubeError('invalid', 'field is immutable when `immutable` is set', 422);
        return clone(old);
      }
      // Like the apiserver, a no-op update keeps the resourceVersion.
      if (
        JSON.stringify({ ...old, resourceVersion: '' }) ===
        JSON.stringify({ ...clone(cm), resourceVersion: '' })
      )
        return clone(old);
      const stored = { ...clone(cm), resourceVersion: String(++this.#rv) };
      this.objects.set(cm.name, stored);
      return clone(stored);
    });
  }

  async delete(name: string, resourceVersion: string): Promise<void> {
    return this.#op('delete', name, () => {
      const old = this.objects.get(name);
      if (!old) throw new KubeError('not-found', `configmaps "${name}" not found`, 404);
      if (old.resourceVersion !== resourceVersion)
        throw new KubeError('conflict', 'Precondition failed: ResourceVersion', 409);
      this.objects.delete(name);
    });
  }

  async list(labelSelector: string): Promise<StoredConfigMap[]> {
    return this.#op('list', undefined, () => {
      const found = this.#select(labelSelector);
      for (const cm of found) this.dataBytes += recordsLength(cm);
      return found.map(clone);
    });
  }

  async listMeta(labelSelector: string): Promise<ConfigMapMeta[]> {
    return this.#op('listMeta', undefined, () =>
      this.#select(labelSelector).map(({ name, resourceVersion, labels, annotations }) =>
        clone({ name, resourceVersion, labels, annotations }),
      ),
    );
  }

  #select(labelSelector: string): StoredConfigMap[] {
    const want = labelSelector.split(',').map((kv) => kv.split('=') as [string, string]);
    return [...this.objects.values()].filter((cm) => want.every(([k, v]) => cm.labels[k] === v));
  }

  async #op<T>(op: Op, name: string | undefined, apply: () => T): Promise<T> {
    await Promise.resolve();
    this.calls.push({ op, ...(name === undefined ? {} : { name }) });
    if (this.down) throw new KubeError('unavailable', `${op}: connect ECONNREFUSED 127.0.0.1:6443`);
    const i = this.faults.findIndex((f) => f.op === op);
    const fault = i >= 0 ? this.faults.splice(i, 1)[0] : undefined;
    if (fault && fault.when !== 'after') {
      fault.then?.();
      throw new KubeError(fault.kind, `${op}: injected ${fault.kind}`);
    }
    const result = apply();
    if (fault) {
      fault.then?.();
      throw new KubeError(fault.kind, `${op}: injected ${fault.kind} after applying`);
    }
    return result;
  }
}

function recordsLength(cm: StoredConfigMap): number {
  return cm.data['records.jsonl']?.length ?? 0;
}

function clone<T>(x: T): T {
  return structuredClone(x);
}
