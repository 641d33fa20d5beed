// Digests of judged content (core/admission/unchanged.ts) this gate has
// admitted, bounded. An unchanged UPDATE skips evaluation only when its old
// content is in here: an object that existed before enforcement began, or
// was never judged, is evaluated in full. A miss (a restart, eviction) only
// costs a full evaluation, never a skip. Each ALLOW's audit record carries
// the digest (subject.content_digest), so every skip is checkable there.
import { LruMap } from '../../core/lru-map.js';

export class AdmittedDigests {
  private readonly seen: LruMap<string, true>;

  constructor(capacity = 10_000) {
    this.seen = new LruMap(capacity);
  }

  has(digest: string | undefined): boolean {
    return digest !== undefined && this.seen.get(digest) === true;
  }

  add(digest: string | undefined): void {
    if (digest !== undefined) this.seen.set(digest, true);
  }
}
