// Builds AdmissionReview JSON the way kube-apiserver wraps an object that
// `kubectl apply` sent: GVK/GVR, requestKind/requestResource, userInfo,
// options (CreateOptions/UpdateOptions), oldObject null on CREATE.
import { randomUUID } from 'node:crypto';

export interface ReviewOptions {
  operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  oldObject?: Record<string, unknown> | null;
  dryRun?: boolean;
  username?: string;
  uid?: string;
}

interface Gvr {
  group: string;
  version: string;
  kind: string;
  resource: string;
}

function gvrOf(object: Record<string, unknown>): Gvr {
  const apiVersion = String(object.apiVersion ?? 'v1');
  const [group, version] = apiVersion.includes('/')
    ? (apiVersion.split('/') as [string, string])
    : ['', apiVersion];
  const kind = String(object.kind ?? '');
  const resource =
    kind === 'ConfigMap'
      ? 'configmaps'
      : kind === 'MigrationRequest'
        ? 'migrationrequests'
        : `${kind.toLowerCase()}s`;
  return { group, version, kind, resource };
}

export function admissionReview(
  object: Record<string, unknown>,
  opts: ReviewOptions = {},
): Record<string, unknown> {
  const operation = opts.operation ?? 'CREATE';
  const gvr = gvrOf(object);
  const meta = (object.metadata ?? {}) as { name?: string; namespace?: string };
  const kind = { group: gvr.group, version: gvr.version, kind: gvr.kind };
  const resource = { group: gvr.group, version: gvr.version, resource: gvr.resource };
  const optionsKind =
    operation === 'CREATE' ? 'CreateOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: opts.uid ?? randomUUID(),
      kind,
      resource,
      requestKind: kind,
      requestResource: resource,
      name: meta.name ?? '',
      namespace: meta.namespace ?? 'default',
      operation,
      userInfo: {
        username: opts.username ?? 'alice@example.com',
        uid: 'f3b1c1de-0000-4000-8000-000000000001',
        groups: ['system:authenticated', 'payments-devs'],
      },
      object: operation === 'DELETE' ? null : object,
      oldObject: opts.oldObject ?? null,
      dryRun: opts.dryRun ?? false,
      options: {
        apiVersion: 'meta.k8s.io/v1',
        kind: optionsKind,
        ...(operation === 'CREATE'
          ? { fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' }
          : {}),
      },
    },
  };
}

/** What the apiserver stores: server-populated metadata added to what kubectl sent. */
export function asStored(object: Record<string, unknown>): Record<string, unknown> {
  const meta = (object.metadata ?? {}) as Record<string, unknown>;
  return {
    ...object,
    metadata: {
      ...meta,
      uid: randomUUID(),
      resourceVersion: '4711',
      creationTimestamp: '2026-11-23T10:00:00Z',
      managedFields: [],
    },
  };
}
