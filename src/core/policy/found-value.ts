// The "(found …)" suffix of a finding message. It helps the developer see
// what to fix, but a report must never carry a secret, so a value is shown
// only when it is a scalar, short, under no secret-looking key on its path,
// and does not itself look like a token.
import { detectTokenKind, looksSecretKey } from './secret-patterns.js';

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const MAX_SHOWN_STRING = 64;
const URL_WITH_USERINFO = /:\/\/[^/\s]*@/;

/** ` (found false)`, ` (found "1.0")`, ` (not set)`, or '' when nothing may be shown. */
export function foundSuffix(root: unknown, path: string | undefined): string {
  if (path === undefined) return '';
  const segments = path.split('.');
  // Only plain dotted paths are resolved: `ports[].host` names many values.
  if (!segments.every((s) => SEGMENT.test(s))) return '';
  const found = lookup(root, segments);
  // Saying a key is absent leaks nothing, even for a secret-looking key.
  if (!found.present) return ' (not set)';
  if (segments.some(looksSecretKey)) return '';
  const shown = showScalar(found.value);
  return shown === undefined ? '' : ` (found ${shown})`;
}

function lookup(root: unknown, segments: readonly string[]): { present: boolean; value?: unknown } {
  let current = root;
  for (const s of segments) {
    // A Map: what toCelValue makes of an object with a `constructor` key.
    if (current instanceof Map) {
      if (!current.has(s)) return { present: false };
      current = current.get(s);
      continue;
    }
    if (
      current === null ||
      typeof current !== 'object' ||
      Array.isArray(current) ||
      !Object.hasOwn(current, s)
    )
      return { present: false };
    current = (current as Record<string, unknown>)[s];
  }
  return { present: true, value: current };
}

function showScalar(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value !== 'string' || value.length > MAX_SHOWN_STRING) return undefined;
  // A token format, or a URL with user:password@, is never echoed whatever its key.
  if (detectTokenKind(value) !== undefined || URL_WITH_USERINFO.test(value)) return undefined;
  return JSON.stringify(value);
}
