// Built-in `secret-scan`: walks the parsed config and reports inline
// credentials, one finding per path, naming the path and the KIND of secret,
// never the value or any part of it (not even a prefix or a length).
import { AWS_SECRET_VALUE, credentialNameKind, detectTokenKind, isInlineLiteral, normaliseKey } from './secret-patterns.js';
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
  /** normaliseKey results for this scan: each key is looked at several times. */
  names: Map<string, string>;
}

function nameOf(walk: Walk, key: string): string {
  let name = walk.names.get(key);
  if (name === undefined) {
    name = normaliseKey(key);
    walk.names.set(key, name);
  }
  return name;
}

/** Inline credentials in a parsed YAML/JSON value, sorted by path. */
export function scanForSecrets(root: unknown): SecretHit[] {
  const walk: Walk = { hits: new Map(), nodes: 0, truncated: false, names: new Map() };
  visit(root, '', undefined, false, 0, walk);
  const hits = [...walk.hits].map(([path, kind]) => ({ path, kind }));
  hits.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Fail closed: a config too big or too deep to scan is itself a finding.
  if (walk.truncated) hits.push({ path: '(config)', kind: 'config too large or too deep to scan completely' });
  return hits;
}

function record(walk: Walk, path: string, kind: string): void {
  const at = path || '(root)';
  if (!walk.hits.has(at)) walk.hits.set(at, kind);
}

/** `awsAware`: an ancestor key or a sibling says AWS, so a bare 40-char secret is an AWS secret key. */
function visit(value: unknown, path: string, key: string | undefined, awsAware: boolean, depth: number, walk: Walk): void {
  walk.nodes += 1;
  if (walk.nodes > SCAN_LIMITS.maxNodes || depth > SCAN_LIMITS.maxDepth) {
    walk.truncated = true;
    return;
  }
  if (typeof value === 'string') return visitString(value, path, key, awsAware, walk);
  if ((typeof value === 'number' || typeof value === 'bigint') && key !== undefined) {
    // `password: 123456` is parsed as a number and is still an inline password.
    const kind = credentialNameKind(nameOf(walk, key));
    if (kind) record(walk, path, kind);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => visit(v, `${path}[${i}]`, key, awsAware, depth + 1, walk));
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) visitObject(value, path, awsAware, depth, walk);
}

function visitObject(value: object, path: string, awsAware: boolean, depth: number, walk: Walk): void {
  const entries: Array<[string, unknown]> = value instanceof Map
    ? [...value.entries()].map(([k, v]): [string, unknown] => [String(k), v])
    : Object.entries(value);
  const siblingAws = awsAware || entries.some(([k, v]) => nameOf(walk, k).includes('aws') || (typeof v === 'string' && detectTokenKind(v) === 'AWS access key id'));
  for (const [k, v] of entries) {
    const keyKind = detectTokenKind(k);
    const childPath = joinPath(path, k, keyKind !== undefined);
    if (keyKind) record(walk, childPath, `${keyKind} in a key name`);
    visit(v, childPath, k, siblingAws || nameOf(walk, k).includes('aws'), depth + 1, walk);
  }
}

function visitString(value: string, path: string, key: string | undefined, awsAware: boolean, walk: Walk): void {
  const tokenKind = detectTokenKind(value);
  if (tokenKind) return record(walk, path, tokenKind);
  if (key === undefined) return;
  const name = nameOf(walk, key);
  if (AWS_SECRET_VALUE.test(value) && (name.includes('secret_access_key') || (awsAware && name.includes('secret')))) {
    return record(walk, path, 'AWS secret access key');
  }
  const kind = credentialNameKind(name);
  if (kind && isInlineLiteral(value)) record(walk, path, kind);
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
  description: 'inline credentials: AWS keys, private-key PEM blocks, GitHub/Slack tokens, JWTs, Google API keys, password/secret/token keys holding literals',
  scenarios: ['T1', 'T2'],
  run(ctx): BuiltinHit[] {
    const root = ctx.scenario === 'T1' ? ctx.vars.config : ctx.vars.manifest;
    return scanForSecrets(root).map((h) => ({ path: h.path, detail: h.kind }));
  },
};
