// Deadline and abort handling: every await on caller-supplied input races the
// signal, so a client that stops sending cannot hold a verification forever.
import type { Finding } from '../contracts/report.js';
import { blockFinding, VerificationFailure } from './findings.js';

export function abortFinding(signal: AbortSignal): Finding {
  const reason: unknown = signal.reason;
  const name = reason instanceof Error ? reason.name : '';
  if (name === 'TimeoutError') {
    return blockFinding(
      'deadline-exceeded',
      'the verification deadline passed before the artifacts were fully read; retry (possibly with a longer deadline)',
    );
  }
  const why =
    reason instanceof Error && reason.message && name !== 'AbortError'
      ? `: ${reason.message.slice(0, 200)}`
      : '';
  return blockFinding('verification-aborted', `verification was aborted before it finished${why}`);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new VerificationFailure(abortFinding(signal));
}

/** iterator.next(), or a rejection as soon as the signal fires. */
export function nextOrAbort<T>(
  it: AsyncIterator<T>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<T>> {
  if (!signal) return it.next();
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new VerificationFailure(abortFinding(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * Tell a producer we are done with it (a Node stream's iterator destroys the
 * stream). Not awaited: a producer stuck in a pending next() would otherwise
 * hang us too.
 */
export function releaseIterator(it: AsyncIterator<unknown> | undefined): void {
  if (!it?.return) return;
  try {
    it.return().catch(() => undefined);
  } catch {
    // a throwing return() leaves nothing more we can do
  }
}
