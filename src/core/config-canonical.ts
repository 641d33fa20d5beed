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
import { memoizeKeyFact } from './key-memo.js';
import { detectTokenKind } from './policy/secret-patterns.js';

// A policy key is a leaf, a section (map of keys) or a list of sections.
type Node = 'leaf' | { readonly keys: Schema } | { readonly items: Schema };
type Schema = { readonly [name: string]: Node };

const VERIFY: Node = {
  keys: {
    enabled: 'leaf',
    min_version: 'leaf',
    verify: 'leaf',
    verify_ssl: 'leaf',
    skip_verify: 'leaf',
    insecure_skip_verify: 'leaf',
  },
};
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

const childSchema = (n: Node): Schema | undefined =>
  n === 'leaf' ? undefined : 'keys' in n ? n.keys : n.items;

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
  | {
      ok: true;
      config: Record<string, unknown>;
      spelled: ReadonlyMap<string, string>;
      relaxed: readonly Relaxed[];
    }
  | { ok: false; problems: string[] };

/** The relaxed-binding fold of one key segment: lowercase ASCII letters and digits only. */
export const foldKey = (s: string): string =>
  FOLDED.test(s) ? s : s.toLowerCase().replace(/[^a-z0-9]/g, '');
const FOLDED = /^[a-z0-9]*$/;

/** A flat key's segments as binders split it: `a.b[0].c` -> a, b, 0, c. */
export const splitFlat = (key: string): string[] =>
  // Most keys are one segment: no split, no regex allocation.
  NOT_FLAT.test(key) ? [key] : key.split(/[.[\]]+/).filter((s) => s.length > 0);
const NOT_FLAT = /^[^.[\]]+$/;
const NON_ASCII = /[^\x20-\x7e]/;

/** What the walks ask of every key, computed once per key text (key-memo.ts). */
interface KeyShape {
  /** foldKey(key). */
  readonly fold: string;
  /** One segment (no flat `a.b`) of printable ASCII: the common key. */
  readonly plain: boolean;
}
const keyShape = memoizeKeyFact(
  (key: string): KeyShape => ({ fold: foldKey(key), plain: NOT_FLAT.test(key) && !NON_ASCII.test(key) }),
  (key) => detectTokenKind(key) !== undefined,
);

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

/** Per schema level: folded key -> canonical name (built once: the schema is a constant). */
const FOLDED_NAMES: ReadonlyMap<Schema, ReadonlyMap<string, string>> = (() => {
  const out = new Map<Schema, Map<string, string>>();
  const walk = (s: Schema): void => {
    out.set(s, new Map(Object.keys(s).map((k) => [foldKey(k), k])));
    for (const v of Object.values(s)) {
      const c = childSchema(v);
      if (c && !out.has(c)) walk(c);
    }
  };
  walk(POLICY_KEYS);
  return out;
})();

/** Lookalike fold for non-ASCII keys: compatibility forms, marks dropped, dotless i and long s. */
const lookalikeFold = (s: string): string =>
  foldKey(
    s
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/ı/g, 'i')
      .replace(/ſ/g, 's')
      .normalize('NFKC')
      .toLowerCase()
      .normalize('NFKD')
      .replace(/\p{M}/gu, ''),
  );

/** Shown in a reason only when it is a plain identifier: a key may be a secret itself. */
export const show = (s: string): string => (/^[A-Za-z0-9_-]{1,64}(\[[0-9]+\])*$/.test(s) ? s : '<key>');

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);

export function canonicalConfig(config: Record<string, unknown>): CanonicalOutcome {
  const problems = findAmbiguities(config);
  if (problems.length > 0) return { ok: false, problems };
  const ctx: Ctx = { spelled: new Map(), relaxed: [] };
  const canon = rebuild(config, POLICY_KEYS, '', '', false, ctx);
  return { ok: true, config: canon, spelled: ctx.spelled, relaxed: ctx.relaxed };
}

// ------------------------------------------------------------ ambiguity

interface Walk {
  /** folded node path -> how it was spelled (id: map levels '/', inside one flat key '.') and where, to name it. */
  seen: Map<string, { id: string; spelled: string; key: string; flat: boolean }>;
  problems: string[];
  nodes: number;
}

function findAmbiguities(config: Record<string, unknown>): string[] {
  if (plainlyUnambiguous(config)) return [];
  const w: Walk = { seen: new Map(), problems: [], nodes: 0 };
  walkMap(config, '', '', w);
  return w.problems.slice(0, MAX_REPORTED);
}

/**
 * The common config, checked without the path bookkeeping: every key one
 * ASCII segment (no flat `a.b`, nothing folding to ""), no two keys of one
 * map folding alike, and within the node limit. Two spellings can only meet
 * where their paths part, which is at two keys of one map with the same
 * first folded segment; with none of those, walkMap finds nothing either.
 * Anything else (false) takes the full walk, which names the problem.
 */
function plainlyUnambiguous(config: Record<string, unknown>): boolean {
  let nodes = 0;
  const stack: unknown[] = [config];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      nodes += v.length;
      for (const item of v) stack.push(item);
      continue;
    }
    if (!isMap(v)) continue;
    const folds = new Set<string>();
    for (const key of Object.keys(v)) {
      const { plain, fold } = keyShape(key);
      if (!plain || fold === '' || folds.has(fold)) return false;
      folds.add(fold);
      nodes += 1;
      stack.push(v[key]);
    }
    if (nodes > INPUT_LIMITS.maxNodes) return false;
  }
  return true;
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
      if (seg === '') {
        clash = true;
        break;
      } // nothing a binder can address
      f = f === '' ? seg : `${f}.${seg}`;
      // Inside a flat key a prefix is spelled as the key text so far plus '.',
      // so `tls` (a map) and `tls.` (from `tls.enabled`) never match.
      const head = flat ? `${parts.slice(0, i + 1).join('.')}${i === parts.length - 1 ? '' : '.'}` : key;
      id = spelled === '' ? head : `${spelled}/${head}`;
      const before = w.seen.get(f);
      // Names are built only for a reason: most keys never need one.
      if (before === undefined) w.seen.set(f, { id, spelled, key, flat });
      else if (before.id !== id) {
        const name = named(spelled, key, flat);
        w.problems.push(
          `${AMBIGUOUS} ${named(before.spelled, before.key, before.flat)} and ${name} are one key ("${f}") to relaxed-binding loaders (Spring Boot, Viper, pydantic-settings, .NET); which one wins depends on the loader: spell it once`,
        );
        clash = true;
      }
    }
    if (!clash && parts.length > 0) walkValue(value, f, id, w);
  }
}

/** A key no loader-independent reading exists for, whatever its siblings. */
const NONE: readonly string[] = [];

function keyProblems(
  spelled: string,
  key: string,
  parts: readonly string[],
  folded: string,
): readonly string[] {
  // The common key (one ASCII segment) has neither problem: no array for it.
  if (parts.length < 2 && !NON_ASCII.test(key)) return NONE;
  const out: string[] = [];
  for (const p of parts) {
    if (/[^\x20-\x7e]/.test(p) && POLICY_FOLDS.has(lookalikeFold(p))) {
      out.push(
        `${AMBIGUOUS} key ${named(spelled, key, parts.length > 1)} has non-ASCII letters that some loaders fold onto the policy key "${lookalikeFold(p)}" and others do not; spell it in ASCII`,
      );
    }
  }
  const indexed = parts.length > 1 && (key.includes('[') || parts.some((p) => /^[0-9]+$/.test(p)));
  if (indexed && folded === '' && POLICY_FOLDS.has(foldKey(parts[0]!))) {
    out.push(
      `${AMBIGUOUS} key ${named(spelled, key, true)} indexes a list in a flat key: Spring Boot reads it as a list item, Viper and plain loaders do not; write the list`,
    );
  }
  return out;
}

/** A key as a reason may name it: map levels joined by '.', a flat key quoted, non-identifiers hidden. */
function named(spelled: string, key: string, flat: boolean): string {
  const levels =
    spelled === ''
      ? []
      : spelled
          .split('/')
          .map((l) => (l.includes('.') ? JSON.stringify(l.split('.').map(show).join('.')) : show(l)));
  levels.push(flat ? JSON.stringify(key.split('.').map(show).join('.')) : show(key));
  return levels.join('.');
}

// ------------------------------------------------------------ canonical view

/**
 * Copy `map`, renaming keys the schema knows to their canonical names and
 * expanding their flat forms. Ambiguity was refused before, so merging two
 * spellings never overwrites a value.
 */
interface Ctx {
  spelled: Map<string, string>;
  relaxed: Relaxed[];
}

function rebuild(
  map: Record<string, unknown>,
  schema: Schema,
  canon: string,
  shown: string,
  flat: boolean,
  ctx: Ctx,
): Record<string, unknown> {
  // Copied only from the first key that changes: a config already spelled
  // canonically (the common case) is passed through as parsed, unchanged.
  let out: Record<string, unknown> | undefined;
  const byFold = FOLDED_NAMES.get(schema)!;
  const keys = Object.keys(map);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = map[key];
    // A plain key is its own only segment: its fold is already known.
    const shape = keyShape(key);
    const parts = shape.plain ? undefined : splitFlat(key);
    const name =
      parts === undefined
        ? byFold.get(shape.fold)
        : parts.length > 0
          ? byFold.get(foldKey(parts[0]!))
          : undefined;
    if (name === undefined) {
      if (out) out[key] = value;
      continue;
    }
    const made = canonicalEntry(
      { name, node: schema[name]!, parts: parts ?? [key], value },
      { canon, shown, flat },
      ctx,
    );
    if (!out && name === key && made === value) continue;
    out ??= copyOf(map, keys, i);
    out[name] = merge(out[name], made);
  }
  return out ?? map;
}

interface Entry {
  name: string;
  node: Node;
  parts: readonly string[];
  value: unknown;
}
interface At {
  canon: string;
  shown: string;
  flat: boolean;
}

/** One policy key's value under its canonical name, noting how it was spelled. */
function canonicalEntry(e: Entry, at: At, ctx: Ctx): unknown {
  const first = e.parts[0]!;
  const canonPath = at.canon === '' ? e.name : `${at.canon}.${e.name}`;
  const shownPath = at.shown === '' ? first : `${at.shown}.${first}`;
  const folded = first !== e.name || at.shown !== at.canon;
  if (folded) ctx.spelled.set(canonPath, shownPath);
  const rest = e.parts.slice(1);
  const viaFlat = at.flat || rest.length > 0;
  if (e.node === 'leaf' && (folded || viaFlat))
    ctx.relaxed.push({ canon: canonPath, shown: shownPath, flat: viaFlat, value: e.value });
  const inner = rest.length > 0 ? { [rest.join('.')]: e.value } : e.value;
  return canonicalChild(inner, e.node, canonPath, shownPath, viaFlat, ctx);
}

/** The first `n` keys of `map`, in order, into a prototype-free object. */
function copyOf(map: Record<string, unknown>, keys: readonly string[], n: number): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (let i = 0; i < n; i++) out[keys[i]!] = map[keys[i]!];
  return out;
}

function canonicalChild(
  value: unknown,
  child: Node,
  canon: string,
  shown: string,
  flat: boolean,
  ctx: Ctx,
): unknown {
  if (child === 'leaf') return value;
  if ('items' in child) {
    if (!Array.isArray(value)) return value;
    const items = value.map((v) =>
      isMap(v) ? rebuild(v, child.items, `${canon}[]`, `${shown}[]`, flat, ctx) : v,
    );
    return items.every((v, i) => v === value[i]) ? value : items;
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
