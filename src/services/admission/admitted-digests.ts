// Digests of judged content (core/admission/unchanged.ts) this gate has
// admitted, bounded. An unchanged UPDATE skips evaluation only when its old
// content is in here: an object that existed before enforcement began, or
// was never judged, is evaluated in full. A miss (a restart, eviction) only
// costs a full evaluation, never a skip. Each ALLOW's audit record carries
// the digest (subject.content_digest), so every skip is checkable there.
export class AdmittedDigests {
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 10_000) {}

  has(digest: string | undefined): boolean {
    if (digest === undefined || !this.seen.has(digest)) return false;
    this.seen.delete(digest);
    this.seen.set(digest, true);
    return true;
  }

  add(digest: string | undefined): void {
    if (digest === undefined) return;
    this.seen.delete(digest);
    this.seen.set(digest, true);
    while (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
  }
}
