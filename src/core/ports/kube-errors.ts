// Our own vocabulary for what went wrong talking to the apiserver, so the
// rest of the gate never sees client-node's exception types. The sink's
// exactly-once logic hangs on the difference between "definitely not
// applied" (conflict, forbidden, invalid) and "outcome unknown" (unavailable).
export type KubeErrorKind =
  /** 409: stale resourceVersion on update, or AlreadyExists on create. Not applied. */
  | 'conflict'
  /** 404. */
  | 'not-found'
  /** 401/403: RBAC or credentials. Not applied. */
  | 'forbidden'
  /** 400/422 (e.g. update of an immutable ConfigMap, object too large). Not applied. */
  | 'invalid'
  /** No answer, a timeout, 429 or 5xx: a write may or may not have been applied. */
  | 'unavailable';

export class KubeError extends Error {
  override readonly name = 'KubeError';
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function isKubeError(e: unknown, kind?: KubeErrorKind): e is KubeError {
  return e instanceof KubeError && (kind === undefined || e.kind === kind);
}

export function kindForStatus(status: number): KubeErrorKind {
  if (status === 409) return 'conflict';
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 400 || status === 422 || status === 413) return 'invalid';
  return 'unavailable';
}
