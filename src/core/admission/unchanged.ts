// An UPDATE that leaves what the gate judges untouched (labels, owner
// references, status...) is answered ALLOW at once: re-verifying would add
// latency to every controller touching metadata, and the content was judged
// when it was written. Compared as canonical JSON, so key order is irrelevant.
import { canonicalDigest, canonicalJson } from '../hashing.js';
import { isPlainObject } from '../strict-parse.js';
import { admissionKind, type JudgedResource } from './kinds.js';

export type { JudgedResource } from './kinds.js';

/** The part of the object its kind judges (kinds.ts); undefined when it is not an object. */
export function judgedContent(resource: JudgedResource, object: unknown): unknown {
  if (!isPlainObject(object)) return undefined;
  return admissionKind(resource).judgedContent(object);
}

/** sha256 of the judged content (hashing.ts canonicalDigest: key order irrelevant); undefined when it cannot be computed. */
export function judgedContentDigest(resource: JudgedResource, object: unknown): string | undefined {
  const content = judgedContent(resource, object);
  if (content === undefined) return undefined;
  try {
    return `sha256:${canonicalDigest(content)}`;
  } catch {
    return undefined;
  }
}

export function judgedContentUnchanged(
  resource: JudgedResource,
  object: unknown,
  oldObject: unknown,
): boolean {
  const now = judgedContent(resource, object);
  const before = judgedContent(resource, oldObject);
  if (now === undefined || before === undefined) return false;
  try {
    return canonicalJson(now) === canonicalJson(before);
  } catch {
    return false; // not comparable: judge it in full
  }
}
