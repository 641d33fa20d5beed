// An UPDATE that leaves what the gate judges untouched (labels, owner
// references, status...) is answered ALLOW at once: re-verifying would add
// latency to every controller touching metadata, and the content was judged
// when it was written. Compared as canonical JSON, so key order is irrelevant.
import { canonicalJson, sha256Hex } from '../hashing.js';
import { isPlainObject } from '../strict-parse.js';
import { DSSE_ANNOTATION, MANIFEST_ANNOTATION, SIGNATURE_ANNOTATION } from './configmap-input.js';

export type JudgedResource = 'configmaps' | 'migrationrequests';

export function judgedContent(resource: JudgedResource, object: unknown): unknown {
  if (!isPlainObject(object)) return undefined;
  if (resource === 'migrationrequests') return { spec: object.spec ?? null };
  const meta = isPlainObject(object.metadata) ? object.metadata : {};
  const annotations = isPlainObject(meta.annotations) ? meta.annotations : {};
  return {
    data: object.data ?? null,
    binaryData: object.binaryData ?? null,
    manifest: annotations[MANIFEST_ANNOTATION] ?? null,
    // The manifest's signature is judged too (issue 12): swapping it must not
    // ride the shortcut. Only when present, so unsigned objects keep their digest.
    ...(annotations[SIGNATURE_ANNOTATION] !== undefined ? { signature: annotations[SIGNATURE_ANNOTATION] } : {}),
    ...(annotations[DSSE_ANNOTATION] !== undefined ? { dsse: annotations[DSSE_ANNOTATION] } : {}),
  };
}

/** sha256 of the canonical judged content; undefined when it cannot be computed. */
export function judgedContentDigest(resource: JudgedResource, object: unknown): string | undefined {
  const content = judgedContent(resource, object);
  if (content === undefined) return undefined;
  try {
    return `sha256:${sha256Hex(canonicalJson(content))}`;
  } catch {
    return undefined;
  }
}

export function judgedContentUnchanged(resource: JudgedResource, object: unknown, oldObject: unknown): boolean {
  const now = judgedContent(resource, object);
  const before = judgedContent(resource, oldObject);
  if (now === undefined || before === undefined) return false;
  try {
    return canonicalJson(now) === canonicalJson(before);
  } catch {
    return false; // not comparable: judge it in full
  }
}
