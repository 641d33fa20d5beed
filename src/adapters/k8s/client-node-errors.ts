// client-node failures -> KubeError. ApiException carries the HTTP status;
// anything else (connection refused, reset, abort on our timeout) reached no
// verdict from the apiserver, so a write's outcome is unknown: `unavailable`.
import { ApiException } from '@kubernetes/client-node';
import { KubeError, kindForStatus } from '../../core/ports/kube-errors.js';

export function toKubeError(e: unknown, what: string): KubeError {
  if (e instanceof KubeError) return e;
  if (e instanceof ApiException) {
    const status = (e as ApiException<unknown>).code;
    return new KubeError(
      kindForStatus(status),
      `${what}: HTTP ${status} ${statusMessage((e as ApiException<unknown>).body)}`.trim(),
      status,
    );
  }
  return new KubeError('unavailable', `${what}: ${networkMessage(e)}`);
}

/** The apiserver's Status.message, if the body is one (it is JSON text or a parsed object). */
function statusMessage(body: unknown): string {
  let b = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body);
    } catch {
      return body.slice(0, 300);
    }
  }
  if (b && typeof b === 'object' && 'message' in b && typeof b.message === 'string')
    return b.message.slice(0, 300);
  return '';
}

function networkMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time (request timed out)';
  // undici: TypeError("fetch failed") with the socket error as cause.
  const cause = (e as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? ` (${(cause as { code?: string }).code ?? cause.message})` : '';
  return `${e.message}${detail}`;
}

/** Runs one client-node call; whatever it throws comes out as a KubeError naming `what`. */
export async function kubeCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toKubeError(e, what);
  }
}

/** kubeCall for a read where "not there" is an answer: 404 -> undefined. */
export async function kubeGetIfExists<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await kubeCall(what, fn);
  } catch (e) {
    if (e instanceof KubeError && e.kind === 'not-found') return undefined;
    throw e;
  }
}
