// Built-in `secret-scan`: walks the parsed config and reports inline
// credentials, one finding per path, naming the path and the KIND of secret,
// never the value or any part of it (not even a prefix or a length).
import {
  AWS_SECRET_VALUE,
  AUTH_KIND,
  detectTokenKind,
  isAuthCredential,
  isInlineLiteral,
  keyFacts,
  type KeyFacts,
} from './secret-patterns.js';
import type { BuiltinCheck, BuiltinHit } from './types.js';

export interface SecretHit {
  path: string;
  kind: string;
}

const SCAN_LIMITS = { maxDepth: 100, maxNodes: 500_000 };

interface Walk {
  hits: Map<string, string>;
  nodes: number;
  truncated: boolean;
}

/**
 * Where a value sits, kept as links and spelled out only for a hit: most
 * nodes are clean, and building every path string cost more than the checks.
 */
interface Place {
  parent: Place | undefined;
  /** An object key, or an array index. */
  step: string | number;
  /** The key is itself a token: never spelled out. */
  redact: boolean;
}

/** Inline credentials in a parsed YAML/JSON value, sorted by path. */
export function scanForSecrets(root: unknown): SecretHit[] {
  const walk: Walk = { hits: new Map(), nodes: 0, truncated: false };
  visit(root, undefined, undefined, false, 0, walk);
  const hits = [...walk.hits].map(([path, kind]) => ({ path, kind }));
  hits.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Fail closed: a config too big or too deep to scan is itself a finding.
  if (walk.truncated)
    hits.push({ path: '(config)', kind: 'config too large or too deep to scan completely' });
  return hits;
}

function record(walk: Walk, place: Place | undefined, kind: string): void {
  const at = pathOf(place) || '(root)';
  if (!walk.hits.has(at)) walk.hits.set(at, kind);
}

/**
 * `key`: the facts of the key the value sits under (its own, or its array's).
 * `awsAware`: an ancestor key or a sibling says AWS, so a bare 40-char secret is an AWS secret key.
 */
/** `tokenKind`: what detectTokenKind already said of a string value (null: nothing), when the caller asked. */
function visit(
  value: unknown,
  place: Place | undefined,
  key: KeyFacts | undefined,
  awsAware: boolean,
  depth: number,
  walk: Walk,
  tokenKind?: string | null,
): void {
  walk.nodes += 1;
  if (walk.nodes > SCAN_LIMITS.maxNodes || depth > SCAN_LIMITS.maxDepth) {
    walk.truncated = true;
    return;
  }
  if (typeof value === 'string') return visitString(value, place, key, awsAware, walk, tokenKind);
  if ((typeof value === 'number' || typeof value === 'bigint') && key !== undefined) {
    // `password: 123456` is parsed as a number and is still an inline password.
    const kind = key.credentialKind;
    if (kind && kind !== AUTH_KIND) record(walk, place, kind);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++)
      visit(value[i], { parent: place, step: i, redact: false }, key, awsAware, depth + 1, walk);
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array))
    visitObject(value, place, awsAware, depth, walk);
}

function visitObject(
  value: object,
  place: Place | undefined,
  awsAware: boolean,
  depth: number,
  walk: Walk,
): void {
  const entries: Array<[string, unknown]> =
    value instanceof Map
      ? [...value.entries()].map(([k, v]): [string, unknown] => [String(k), v])
      : Object.entries(value);
  const facts: KeyFacts[] = new Array<KeyFacts>(entries.length);
  // Each string is run through the detectors once, for the sibling test and its own.
  const kinds: Array<string | null | undefined> = new Array<string | null | undefined>(entries.length);
  let siblingAws = awsAware;
  for (let i = 0; i < entries.length; i++) {
    const [key, v] = entries[i]!;
    const f = (facts[i] = keyFacts(key));
    const kind = (kinds[i] = typeof v === 'string' ? (detectTokenKind(v) ?? null) : undefined);
    if (f.aws || kind === 'AWS access key id') siblingAws = true;
  }
  for (let i = 0; i < entries.length; i++) {
    const [key, v] = entries[i]!;
    const f = facts[i]!;
    if (f.tokenKind === undefined && cleanLeaf(v, f, kinds[i])) {
      // What visit() would do with it, without building its place.
      walk.nodes += 1;
      if (walk.nodes > SCAN_LIMITS.maxNodes || depth + 1 > SCAN_LIMITS.maxDepth) walk.truncated = true;
      continue;
    }
    const child: Place = { parent: place, step: key, redact: f.tokenKind !== undefined };
    if (f.tokenKind) record(walk, child, `${f.tokenKind} in a key name`);
    visit(v, child, f, siblingAws || f.aws, depth + 1, walk, kinds[i]);
  }
}

/**
 * A scalar visit() and visitString() would find nothing in (most of a
 * config): no token in it, its key names no credential, and not 40
 * characters (the AWS secret-key shape).
 */
function cleanLeaf(v: unknown, key: KeyFacts, tokenKind: string | null | undefined): boolean {
  if (typeof v === 'string') return tokenKind === null && key.credentialKind === undefined && v.length !== 40;
  if (typeof v === 'number' || typeof v === 'bigint') return key.credentialKind === undefined;
  return v === null || v === undefined || typeof v === 'boolean';
}

function visitString(
  value: string,
  place: Place | undefined,
  key: KeyFacts | undefined,
  awsAware: boolean,
  walk: Walk,
  known?: string | null,
): void {
  const tokenKind = known === undefined ? detectTokenKind(value) : known;
  if (tokenKind) return record(walk, place, tokenKind);
  if (key === undefined) return;
  const name = key.name;
  if (
    value.length === 40 &&
    AWS_SECRET_VALUE.test(value) &&
    (name.includes('secret_access_key') || (awsAware && name.includes('secret')))
  ) {
    return record(walk, place, 'AWS secret access key');
  }
  const kind = key.credentialKind;
  if (kind && isInlineLiteral(value) && (kind !== AUTH_KIND || isAuthCredential(value)))
    record(walk, place, kind);
}

function pathOf(place: Place | undefined): string {
  if (place === undefined) return '';
  const parent = pathOf(place.parent);
  if (typeof place.step === 'number') return `${parent}[${place.step}]`;
  return joinPath(parent, place.step, place.redact);
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** `database.password`, `ports[0].host`, `headers["x.y"]`; a key that is itself a token is redacted. */
function joinPath(parent: string, key: string, redact: boolean): string {
  if (redact) return `${parent}[redacted key]`;
  if (SIMPLE_KEY.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)}]`;
}

/** The registry entry: T1 scans `config`, T2 scans the replication `manifest`. */
export const secretScanBuiltin: BuiltinCheck = {
  name: 'secret-scan',
  description:
    'inline credentials: AWS keys, private-key PEM blocks, GitHub/Slack tokens, JWTs, Google API keys, password/secret/token keys holding literals',
  scenarios: ['T1', 'T2'],
  run(ctx): BuiltinHit[] {
    const root = ctx.scenario === 'T1' ? ctx.vars.config : ctx.vars.manifest;
    return scanForSecrets(root).map((h) => ({ path: h.path, detail: h.kind }));
  },
};
