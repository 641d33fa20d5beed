// One canonical view of a parsed app config, the way relaxed-binding loaders
// read it (Spring Boot, Viper, pydantic-settings, .NET configuration): key
// case, `-`, `_` and camelCase do not matter (`secretKey`, `SECRET_KEY`,
// `secret-key` are one key), and a flat dotted key is a nested path
// (`tls.enabled: false` is tls -> enabled). Spring's adapt() also strips other
// non-alphanumeric characters, so the fold keeps only [a-z0-9].
//
// Two spellings that fold to one key anywhere in the config have no single
// meaning (which one wins depends on the loader), so they are refused. A
// non-ASCII key that folds (NFKC, case, dropped marks) onto a policy key name
// is refused too: `ｔｌｓ`, `tİs` are `tls` to some loaders and not to others.
//
// Only the keys the baseline understands (POLICY_KEYS) are renamed to their
// snake_case names and expanded from flat form; every other key is passed
// through untouched. `TLS_ENABLED` in a file is one key (`tlsenabled`): only
// environment-variable sources map `_` to nesting (Spring's
// SystemEnvironmentPropertyMapper, pydantic's env_nested_delimiter, Viper's
// SetEnvKeyReplacer), never a YAML/JSON file.
import { INPUT_LIMITS } from './policy/limits.js';

// A policy key is a leaf, a section (map of keys) or a list of sections.
type Node = 'leaf' | { readonly keys: Schema } | { readonly items: Schema };
type Schema = { readonly [name: string]: Node };

const VERIFY: Node = { keys: { enabled: 'leaf', min_version: 'leaf', verify: 'leaf', verify_ssl: 'leaf', skip_verify: 'leaf', insecure_skip_verify: 'leaf' } };
const PORT: Schema = { port: 'leaf', host: 'leaf', bind: 'leaf', public: 'leaf' };

/** The policy-relevant keys (README, "T1: an app config") under their canonical names. */
export const POLICY_KEYS: Schema = {
  tls: VERIFY,
  ssl: VERIFY,
  verify_ssl: 'leaf',
  skip_verify: 'leaf',
  insecure_skip_verify: 'leaf',
  host: 'leaf',
  bind: 'leaf',
  ports: { items: PORT },
  secrets_ref: 'leaf',
  debug: 'leaf',
  cors: { keys: { allowed_origins: 'leaf' } },
  secret_key: 'leaf',
  pbkdf2_iterations: 'leaf',
  audit: { keys: { enabled: 'leaf' } },
};

const childSchema = (n: Node): Schema | undefined => (n === 'leaf' ? undefined : 'keys' in n ? n.keys : n.items);

export const AMBIGUOUS = '[config-ambiguous]';
const MAX_REPORTED = 5;

/** A policy leaf the canonical view holds only because a relaxed-binding loader folds its spelling. */
export interface Relaxed {
  /** canonical path, list items as `[]`: `tls.enabled`, `ports[].host`. */
  readonly canon: string;
  /** the spelling the config used, map levels joined by '.' (raw: hide before showing). */
  readonly shown: string;
  /** some segment came from a flat dotted key (`tls.enabled: true`). */
  readonly flat: boolean;
  readonly value: unknown;
}

export type CanonicalOutcome =
  | { ok: true; config: Record<string, unknown>; spelled: ReadonlyMap<string, string>; relaxed: readonly Relaxed[] }
  | { ok: false; problems: string[] };

/** The relaxed-binding fold of one key segment: lowercase ASCII letters and digits only. */
export const foldKey = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** A flat key's segments as binders split it: `a.b[0].c` -> a, b, 0, c. */
export const splitFlat = (key: string): string[] => key.split(/[.[\]]+/).filter((s) => s.length > 0);

/** Every folded name a policy key segment can have. */
const POLICY_FOLDS: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  const walk = (s: Schema): void => {
    for (const [k, v] of Object.entries(s)) {
      out.add(foldKey(k));
      const c = childSchema(v);
      if (c) walk(c);
    }
  };
  walk(POLICY_KEYS);
  return out;
})();

/** Lookalike fold for non-ASCII keys: compatibility forms, marks dropped, dotless i and long s. */
const lookalikeFold = (s: string): string =>
  foldKey(s.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ı/g, 'i').replace(/ſ/g, 's').normalize('NFKC')
    .toLowerCase().normalize('NFKD').replace(/\p{M}/gu, ''));

/** Shown in a reason only when it is a plain identifier: a key may be a secret itself. */
export const show = (s: string): string => (/^[A-Za-z0-9_-]{1,64}(\[[0-9]+\])*$/.test(s) ? s : '<key>');

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);

export function canonicalConfig(config: Record<string, unknown>): CanonicalOutcome {
  const problems = findAmbiguities(config);
  if (problems.length > 0) return { ok: false, problems };
  const ctx: Ctx = { spelled: new Map(), relaxed: [] };
  const canon = rebuild(config, POLICY_KEYS, '', '', false, ctx);
  return { ok: true, config: canon, spelled: ctx.spelled, relaxed: ctx.relaxed };
}

// ------------------------------------------------------------ ambiguity

interface Walk {
  /** folded node path -> how it was spelled (id: map levels '/', inside one flat key '.') and how to name it. */
  seen: Map<string, { id: string; name: string }>;
  problems: string[];
  nodes: number;
}

function findAmbiguities(config: Record<string, unknown>): string[] {
  const w: Walk = { seen: new Map(), problems: [], nodes: 0 };
  walkMap(config, '', '', w);
  return w.problems.slice(0, MAX_REPORTED);
}

function walkValue(value: unknown, folded: string, spelled: string, w: Walk): void {
  w.nodes += 1;
  if (w.nodes > INPUT_LIMITS.maxNodes) {
    if (!w.problems.includes(TOO_BIG)) w.problems.push(TOO_BIG);
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => walkValue(v, `${folded}[${i}]`, `${spelled}[${i}]`, w));
  else if (isMap(value)) walkMap(value, folded, spelled, w);
}

const TOO_BIG = `${AMBIGUOUS} the config has more than ${INPUT_LIMITS.maxNodes} values; it was not checked for relaxed-binding ambiguity`;

function walkMap(map: Record<string, unknown>, folded: string, spelled: string, w: Walk): void {
  for (const [key, value] of Object.entries(map)) {
    if (w.problems.length >= MAX_REPORTED) return;
    const parts = splitFlat(key);
    const refused = keyProblems(spelled, key, parts, folded);
    w.problems.push(...refused);
    if (refused.length > 0) continue;
    const flat = parts.length > 1;
    let f = folded;
    let id = spelled;
    let clash = false;
    for (let i = 0; i < parts.length && !clash; i += 1) {
      const seg = foldKey(parts[i]!);
      if (seg === '') { clash = true; break; } // nothing a binder can address
      f = f === '' ? seg : `${f}.${seg}`;
      // Inside a flat key a prefix is spelled as the key text so far plus '.',
      // so `tls` (a map) and `tls.` (from `tls.enabled`) never match.
      const head = flat ? `${parts.slice(0, i + 1).join('.')}${i === parts.length - 1 ? '' : '.'}` : key;
      id = spelled === '' ? head : `${spelled}/${head}`;
      const name = named(spelled, key, flat);
      const before = w.seen.get(f);
      if (before === undefined) w.seen.set(f, { id, name });
      else if (before.id !== id) {
        w.problems.push(`${AMBIGUOUS} ${before.name} and ${name} are one key ("${f}") to relaxed-binding loaders (Spring Boot, Viper, pydantic-settings, .NET); which one wins depends on the loader: spell it once`);
        clash = true;
      }
    }
    if (!clash && parts.length > 0) walkValue(value, f, id, w);
  }
}

/** A key no loader-independent reading exists for, whatever its siblings. */
function keyProblems(spelled: string, key: string, parts: readonly string[], folded: string): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (/[^\x20-\x7e]/.test(p) && POLICY_FOLDS.has(lookalikeFold(p))) {
      out.push(`${AMBIGUOUS} key ${named(spelled, key, parts.length > 1)} has non-ASCII letters that some loaders fold onto the policy key "${lookalikeFold(p)}" and others do not; spell it in ASCII`);
    }
  }
  const indexed = parts.length > 1 && (key.includes('[') || parts.some((p) => /^[0-9]+$/.test(p)));
  if (indexed && folded === '' && POLICY_FOLDS.has(foldKey(parts[0]!))) {
    out.push(`${AMBIGUOUS} key ${named(spelled, key, true)} indexes a list in a flat key: Spring Boot reads it as a list item, Viper and plain loaders do not; write the list`);
  }
  return out;
}

/** A key as a reason may name it: map levels joined by '.', a flat key quoted, non-identifiers hidden. */
function named(spelled: string, key: string, flat: boolean): string {
  const levels = spelled === '' ? [] : spelled.split('/').map((l) => (l.includes('.') ? JSON.stringify(l.split('.').map(show).join('.')) : show(l)));
  levels.push(flat ? JSON.stringify(key.split('.').map(show).join('.')) : show(key));
  return levels.join('.');
}

// ------------------------------------------------------------ canonical view

/**
 * Copy `map`, renaming keys the schema knows to their canonical names and
 * expanding their flat forms. Ambiguity was refused before, so merging two
 * spellings never overwrites a value.
 */
interface Ctx { spelled: Map<string, string>; relaxed: Relaxed[] }

function rebuild(map: Record<string, unknown>, schema: Schema, canon: string, shown: string, flat: boolean, ctx: Ctx): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  const byFold = new Map(Object.keys(schema).map((k) => [foldKey(k), k]));
  for (const [key, value] of Object.entries(map)) {
    const parts = splitFlat(key);
    const name = parts.length > 0 ? byFold.get(foldKey(parts[0]!)) : undefined;
    if (name === undefined) {
      out[key] = value;
      continue;
    }
    const child = schema[name]!;
    const canonPath = canon === '' ? name : `${canon}.${name}`;
    const shownPath = shown === '' ? parts[0]! : `${shown}.${parts[0]!}`;
    const folded = parts[0] !== name || shown !== canon;
    if (folded) ctx.spelled.set(canonPath, shownPath);
    const rest = parts.slice(1);
    const viaFlat = flat || rest.length > 0;
    if (child === 'leaf' && (folded || viaFlat)) ctx.relaxed.push({ canon: canonPath, shown: shownPath, flat: viaFlat, value });
    const inner = rest.length > 0 ? { [rest.join('.')]: value } : value;
    out[name] = merge(out[name], canonicalChild(inner, child, canonPath, shownPath, viaFlat, ctx));
  }
  return out;
}

function canonicalChild(value: unknown, child: Node, canon: string, shown: string, flat: boolean, ctx: Ctx): unknown {
  if (child === 'leaf') return value;
  if ('items' in child) {
    return Array.isArray(value) ? value.map((v) => (isMap(v) ? rebuild(v, child.items, `${canon}[]`, `${shown}[]`, flat, ctx) : v)) : value;
  }
  return isMap(value) ? rebuild(value, child.keys, canon, shown, flat, ctx) : value;
}

function merge(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (isMap(a) && isMap(b)) {
    const out = Object.assign(Object.create(null) as Record<string, unknown>, a);
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
    return out;
  }
  // Unreachable after findAmbiguities; fail closed rather than pick one.
  throw new Error('relaxed-binding merge found two values for one key');
}
