// Built-in `secret-key-length`: every `secret_key` in a T1 config, at any
// depth (`django.secret_key`, `flask.secret_key`, `<x>_secret_key`), must be
// a reference or an inline key of at least 48 characters. Names are matched
// after snake_case normalisation (`SECRET_KEY`, `secretKey`), the same names
// the relaxed-binding folding hands to policies.
import { isReference, keyFacts } from './secret-patterns.js';
import type { BuiltinCheck, BuiltinHit } from './types.js';

export const MIN_SECRET_KEY_LENGTH = 48;
const MAX_DEPTH = 100;

type Obj = Record<string, unknown>;

export function findShortSecretKeys(config: unknown): BuiltinHit[] {
  const hits: BuiltinHit[] = [];
  walk(config, '', 0, hits);
  return hits;
}

function walk(value: unknown, at: string, depth: number, hits: BuiltinHit[]): void {
  if (depth > MAX_DEPTH) {
    hits.push({ path: at || '(config)', detail: 'config nested too deep to check every secret_key' });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${at}[${i}]`, depth + 1, hits));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // A map holding a `constructor` key reaches policies as a Map (cel-values.ts): walked the same.
  const entries: Iterable<[string, unknown]> =
    value instanceof Map ? (value as Map<string, unknown>) : Object.entries(value as Obj);
  for (const [key, v] of entries) {
    // Paths are built only where they can be used: a hit, or a container below.
    const why = keyFacts(key).secretKey ? shortKey(v) : undefined;
    if (why === undefined && (v === null || typeof v !== 'object') && depth < MAX_DEPTH) continue;
    const path = childPath(at, key);
    if (why) hits.push({ path, detail: why });
    walk(v, path, depth + 1, hits);
  }
}

function childPath(at: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(key)
    ? at
      ? `${at}.${key}`
      : key
    : `${at}[${JSON.stringify(key.slice(0, 64))}]`;
}

/** Why an inline secret_key value is too weak, or undefined when it is acceptable. Never the value. */
function shortKey(v: unknown): string | undefined {
  // Absent, null, or a map (a secretRef-style object) is not inline.
  if (v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v))) return undefined;
  if (typeof v === 'string') {
    if (isReference(v.trim())) return undefined;
    return v.length >= MIN_SECRET_KEY_LENGTH
      ? undefined
      : `an inline key shorter than ${MIN_SECRET_KEY_LENGTH} characters`;
  }
  return `a ${Array.isArray(v) ? 'list' : typeof v === 'bigint' ? 'number' : typeof v} is not a key`;
}

export const secretKeyLengthBuiltin: BuiltinCheck = {
  name: 'secret-key-length',
  description: `every secret_key (any depth, any spelling) is a reference or an inline key of ${MIN_SECRET_KEY_LENGTH}+ characters`,
  scenarios: ['T1'],
  run(ctx): BuiltinHit[] {
    return findShortSecretKeys(ctx.vars.config);
  },
};
