// One meaning or refuse, for app configs. js-yaml's CORE_SCHEMA reads YAML
// 1.2; the config's consumers may read YAML 1.1 (PyYAML, SnakeYAML, Go
// yaml.v2/v3 in part) or merge `<<` keys (all of those, and js-yaml's
// default schema). This schema reads like CORE_SCHEMA but marks, instead of
// resolving, every plain scalar with two readings (plain `<<` included), and
// every explicitly tagged int/float/bool/null whose text has two readings
// (`!!int 0777`). The marks are found afterwards with their paths, and the
// config is refused naming each one. `__proto__` keys are refused too:
// consumers that copy configs with Object.assign or a deep merge would
// change the prototype instead of setting a key.
import { FAILSAFE_SCHEMA, load, Type, type State } from 'js-yaml';
import { ambiguousFlowColon } from './flow-colon.js';
import {
  coreTypes as types,
  describeReading,
  plainScalarAmbiguity,
  type Ambiguity,
} from './yaml-ambiguity.js';

interface Mark {
  token: string;
  source: string;
  ambiguity: Ambiguity;
}

// js-yaml's load is synchronous and not reentrant here, so one module-level
// recorder per load call is safe (set by withMarks, cleared after).
let recording: Mark[] | undefined;
let collections: Set<object> | undefined;

// A mark is a string no YAML text can produce (the parser refuses NUL bytes
// before YAML ever sees them; a "\0" escape could forge one, which only adds
// a refusal: marks are looked up in the recorder, never trusted by shape).
function mark(source: string, ambiguity: Ambiguity): string {
  const marks = recording ?? [];
  const token = `\u0000config-ambiguous#${marks.length}`;
  marks.push({ token, source, ambiguity });
  return token;
}

const plainAmbiguous = new Type('tag:migration-gate,2026:ambiguous', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    data !== null && recording !== undefined && plainScalarAmbiguity(data) !== undefined,
  construct: (data: string) => mark(data, plainScalarAmbiguity(data)!),
});

/** Explicit !!int/!!float/!!bool/!!null: same reading as CORE, unless the text has two readings. */
function guarded(base: Type, tag: string): Type {
  return new Type(tag, {
    kind: 'scalar',
    resolve: (data: string | null) =>
      (data !== null && recording !== undefined && plainScalarAmbiguity(data) !== undefined) ||
      base.resolve(data),
    construct: (data: string) => {
      const a = data === null || recording === undefined ? undefined : plainScalarAmbiguity(data);
      return a ? mark(data, a) : base.construct(data);
    },
  });
}

export const CONFIG_SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [plainAmbiguous, types.null, types.bool, types.int, types.float],
  explicit: (['null', 'bool', 'int', 'float'] as const).map((k) =>
    guarded(types[k], `tag:yaml.org,2002:${k}`),
  ),
});

/**
 * The non-specific tag `!` keeps a scalar a string in js-yaml, but PyYAML
 * and SnakeYAML resolve `! on` like a plain `on` (true): marked the same way.
 */
function onNode(this: State, event: 'open' | 'close', state: State): void {
  const s = state as State & { tag: string | null; kind: string | null; result: unknown };
  if (event !== 'close') return;
  // Every collection the parser built: one that is not reachable from the
  // root afterwards was used as a mapping key (js-yaml stringifies it).
  if ((s.kind === 'mapping' || s.kind === 'sequence') && s.result !== null && typeof s.result === 'object')
    collections?.add(s.result);
  if (s.tag !== '!' || s.kind !== 'scalar' || typeof s.result !== 'string') return;
  const a = plainScalarAmbiguity(s.result);
  if (a) s.result = mark(s.result, a);
}

/**
 * Reads a config with CONFIG_SCHEMA (duplicate keys throw, as in
 * parseStrict) and returns its value and the reasons it has more than one
 * meaning ([] when it has one).
 */
export function loadConfigYaml(text: string): { value: unknown; problems: ConfigAmbiguity[] } {
  const marks: Mark[] = [];
  const built = new Set<object>();
  recording = marks;
  collections = built;
  try {
    const value = load(text, { schema: CONFIG_SCHEMA, json: false, listener: onNode });
    const at = ambiguousFlowColon(text);
    if (at >= 0) {
      const line = text.slice(0, at).split('\n').length;
      return {
        value,
        problems: [
          {
            path: `(line ${line})`,
            message: `(line ${line}): a plain scalar with ":" next to a flow indicator inside [ ] or { } (like [a:] or [::x]), or a second "key:" on one line, is a mapping to js-yaml but a string or a syntax error to libyaml, Go yaml and SnakeYAML; quote it`,
          },
        ],
      };
    }
    // A collection as a key needs `?` or a flow collection in the text.
    if (/[?[{]/.test(text) && reachable(value) < built.size) {
      return {
        value,
        problems: [
          {
            path: '(a mapping key)',
            message:
              '(a mapping key): a mapping or sequence is used as a mapping key: the gate would read it as a string ("[object Object]", "a,b"), other loaders as a composite key or an error; use a scalar key',
          },
        ],
      };
    }
    // The walk is only needed when something was marked or a __proto__ key
    // could exist: spelled out, or written with escapes ("\x5f_proto__").
    if (marks.length === 0 && !text.includes('__proto__') && !text.includes('\\'))
      return { value, problems: [] };
    return { value, problems: configAmbiguities(value, marks) };
  } finally {
    recording = undefined;
    collections = undefined;
  }
}

/** How many distinct collections the parsed value holds. */
function reachable(root: unknown): number {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop() as Record<string, unknown>;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    // Only collections are counted: scalars (most values) are not even pushed.
    for (const key of Object.keys(v)) {
      const child = v[key];
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return seen.size;
}

const SAFE_SCALAR = /^[A-Za-z0-9_.:+\-~]{1,20}$/;

/** A scalar is quoted in a reason only when short and plain-looking (never something secret-shaped). */
export function quoteScalar(s: string): string {
  if (s === '') return 'an empty scalar';
  return SAFE_SCALAR.test(s) || s === '=' || s === '<<' ? s : `a ${s.length}-character scalar`;
}

const SAFE_KEY = /^[A-Za-z0-9_-]{1,64}$/;

function pathSegment(key: string, marks: Map<string, Mark>): string {
  const m = marks.get(key);
  if (m) return `.${quoteScalar(m.source)}`;
  return SAFE_KEY.test(key) ? `.${key}` : `[${JSON.stringify(key.slice(0, 64))}]`;
}

function showPath(p: string): string {
  const s = p.startsWith('.') ? p.slice(1) : p;
  return s === '' ? '(top level)' : s;
}

/** One refusal: where, and a sentence that starts with the path and names both readings. */
export interface ConfigAmbiguity {
  path: string;
  message: string;
}

/**
 * Reasons for every mark, `__proto__` key and merge key in a parsed config,
 * with their paths; [] when the config has one meaning. One iterative walk;
 * shared (aliased) containers are walked once.
 */
export function configAmbiguities(root: unknown, made: Mark[], max = 10): ConfigAmbiguity[] {
  const byToken = new Map(made.map((m) => [m.token, m]));
  const out: ConfigAmbiguity[] = [];
  const seen = new WeakSet<object>();
  const stack: Array<[unknown, string]> = [[root, '']];
  while (stack.length > 0 && out.length < max) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const m = byToken.get(v);
      if (m) out.push(reasonFor(m, showPath(path), false));
      continue;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i]!;
      const childPath = path + pathSegment(k, byToken);
      const problem = keyProblem(k, showPath(childPath), byToken);
      if (problem) out.push(problem);
      stack.push([child, childPath]);
    }
  }
  // A mark the walk could not reach (cannot happen with js-yaml today) still refuses.
  if (out.length === 0 && made.length > 0) out.push(reasonFor(made[0]!, '(unknown path)', false));
  return out;
}

function keyProblem(k: string, path: string, byToken: Map<string, Mark>): ConfigAmbiguity | undefined {
  const m = byToken.get(k);
  if (m) return reasonFor(m, path, true);
  if (k === '__proto__')
    return {
      path,
      message: `${path}: a "__proto__" key is refused: consumers that copy configs with Object.assign or a deep merge set the object's prototype instead of a key; rename it`,
    };
  return undefined;
}

function reasonFor(m: Mark, path: string, isKey: boolean): ConfigAmbiguity {
  if (m.ambiguity.yaml11.kind === 'merge') {
    return {
      path,
      message: `${path}: a YAML merge key "<<" is a plain key under YAML 1.2 but merges its mapping into the parent under PyYAML, SnakeYAML, Go yaml.v2/v3 and js-yaml's default schema; write the keys out instead`,
    };
  }
  const s = quoteScalar(m.source);
  return {
    path,
    message: `${path}: ${isKey ? 'the key ' : ''}${s} is ${describeReading(m.ambiguity.yaml12, quoteScalar)} under YAML 1.2 but ${describeReading(m.ambiguity.yaml11, quoteScalar)} under ${m.ambiguity.by ?? 'YAML 1.1'}; quote it`,
  };
}
