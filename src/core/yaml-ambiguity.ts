// Plain YAML scalars whose YAML 1.1 and YAML 1.2 readings differ. The gate
// reads configs with js-yaml's YAML 1.2 core schema, but the services that
// consume them often do not: PyYAML and SnakeYAML implement the YAML 1.1
// type repository (bool, int, float, null, timestamp, merge, value), and Go's
// yaml.v2/v3 keep parts of it. A scalar with two readings is refused: the
// gate cannot know which one the consumer will act on. The 1.1 readings
// below follow PyYAML's resolver and constructor (resolver.py /
// constructor.py) with SnakeYAML's and yaml.v2's extra forms; the
// differential test in test/differential/ proves them against the real
// loaders.
import * as jsYaml from 'js-yaml';

/** js-yaml's built-in scalar types (exported at runtime; declared in src/types/js-yaml-types.d.ts). */
export const coreTypes = jsYaml.types;

/** A typed reading, canonical enough to compare across YAML versions. */
export interface Reading {
  kind: 'null' | 'bool' | 'number' | 'str' | 'timestamp' | 'merge' | 'value' | 'error';
  /** Canonical text: numbers as exact decimal (or JS shortest form for non-integers). */
  text: string;
}

export interface Ambiguity {
  yaml12: Reading;
  yaml11: Reading;
  /** Whose reading yaml11 is: the YAML 1.1 loaders, or Go's yaml.v2/v3 (which read ints with strconv's base prefixes). */
  by?: string;
}

// ---- YAML 1.2 core, exactly as the gate's js-yaml reads it -----------------

const CORE_ORDER = [coreTypes.null, coreTypes.bool, coreTypes.int, coreTypes.float];

export function yaml12Reading(s: string): Reading {
  for (const t of CORE_ORDER) {
    if (!t.resolve(s)) continue;
    const v: unknown = t.construct(s);
    if (v === null) return { kind: 'null', text: 'null' };
    if (typeof v === 'boolean') return { kind: 'bool', text: String(v) };
    if (typeof v === 'number') return { kind: 'number', text: numberText(v) };
  }
  return { kind: 'str', text: s };
}

// ---- YAML 1.1 type repository ---------------------------------------------

// PyYAML's bool list, plus the y/Y/n/N of the YAML 1.1 spec (yaml.v2 reads them).
const BOOL11 = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const TRUE11 = /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
// Mixed-case spellings (yEs, oN): a string to every loader we test, but the
// issue asks for these words "in any case", and case-folding readers of
// booleans (Spring's relaxed conversion, strtobool-style helpers) exist.
const BOOL_ANY_CASE = /^(?:y|n|yes|no|on|off)$/i;
const INT11 =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT11 =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL11 = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP11 =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

export function yaml11Reading(s: string): Reading {
  if (s === '<<') return { kind: 'merge', text: '<<' };
  if (s === '=') return { kind: 'value', text: '=' };
  if (NULL11.test(s)) return { kind: 'null', text: 'null' };
  if (BOOL11.test(s)) return { kind: 'bool', text: String(TRUE11.test(s)) };
  if (INT11.test(s)) return { kind: 'number', text: int11(s) };
  if (FLOAT11.test(s)) return { kind: 'number', text: float11(s) };
  if (TIMESTAMP11.test(s)) return { kind: 'timestamp', text: s };
  return { kind: 'str', text: s };
}

/** PyYAML's construct_yaml_int: underscores dropped, leading 0 is octal, a:b:c is base 60. */
function int11(s: string): string {
  let v = s.replace(/_/g, '');
  let sign = 1n;
  if (v[0] === '-' || v[0] === '+') {
    if (v[0] === '-') sign = -1n;
    v = v.slice(1);
  }
  if (v === '') return 'NaN';
  if (v === '0') return '0';
  if (v.startsWith('0b')) return (sign * BigInt(`0b${v.slice(2) || '0'}`)).toString();
  if (v.startsWith('0x')) return (sign * BigInt(`0x${v.slice(2) || '0'}`)).toString();
  if (v.includes(':')) {
    let n = 0n;
    for (const part of v.split(':')) n = n * 60n + BigInt(part || '0');
    return (sign * n).toString();
  }
  if (v[0] === '0') return (sign * BigInt(`0o${v.slice(1) || '0'}`)).toString();
  return (sign * BigInt(v)).toString();
}

/** PyYAML's construct_yaml_float: underscores dropped, a:b:c.d is base 60. */
function float11(s: string): string {
  let v = s.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (v[0] === '-' || v[0] === '+') {
    if (v[0] === '-') sign = -1;
    v = v.slice(1);
  }
  if (v === '.inf') return numberText(sign * Infinity);
  if (v === '.nan') return 'NaN';
  if (v.includes(':')) {
    let n = 0;
    for (const part of v.split(':')) n = n * 60 + Number(part || '0');
    return numberText(sign * n);
  }
  return numberText(sign * Number(v));
}

// Go's yaml.v2/v3 drop underscores and read ints with strconv.ParseInt(s, 0, 64),
// which takes 0x/0X, 0o/0O, 0b/0B and a bare leading 0 as base prefixes.
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]+)$/;

function goIntReading(s: string): Reading | undefined {
  const v = s.replace(/_/g, '');
  if (!GO_INT.test(v)) return undefined;
  const neg = v[0] === '-';
  const body = v.replace(/^[-+]/, '').toLowerCase();
  const n = BigInt(body.length > 1 && /^0[0-7]/.test(body) ? `0o${body.slice(1)}` : body);
  return { kind: 'number', text: (neg ? -n : n).toString() };
}

// SnakeYAML's float: a dot or an exponent (no sign needed), underscores
// anywhere; "._" matches too and makes SnakeYAML throw.
const SNAKE_FLOAT =
  /^[-+]?(?:\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+|[0-9][0-9_]*\.[0-9_]*)$/;

function snakeFloatReading(s: string): Reading | undefined {
  if (!SNAKE_FLOAT.test(s)) return undefined;
  const n = Number(s.replace(/_/g, ''));
  return Number.isNaN(n) || !/[0-9]/.test(s)
    ? { kind: 'error', text: 'a load error' }
    : { kind: 'number', text: numberText(n) };
}

/** Exact decimal for integral values (so 2^53+1 and its double differ), JS shortest form otherwise. */
export function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n)) return BigInt(n).toString();
  return String(n);
}

/**
 * The fast path (every plain key and value of every config comes here, so
 * char codes rather than regexes): most scalars are words, and only the
 * characters of TYPED_START start a typed 1.1 form. A word longer than
 * "false" is no bool or null in any reader, and no reader makes a number of
 * text that starts with a letter (Go drops only underscores):
 * `feature_flag_3`, `timeout_ms` are strings everywhere.
 */
function surelyOneReading(s: string): boolean {
  const first = s.charCodeAt(0);
  if (s.length > 0 && !TYPED_START.has(first)) return true;
  return s.length > 5 && ((first >= 65 && first <= 90) || (first >= 97 && first <= 122));
}

/** First characters of a typed YAML 1.1 form: [-+0-9.~<=:_yYnNoOtTfF]. */
const TYPED_START: ReadonlySet<number> = new Set(
  [...'-+0123456789.~<=:_yYnNoOtTfF'].map((c) => c.charCodeAt(0)),
);

/**
 * The two readings of a plain scalar when they differ, else undefined. A
 * 1.2 integer beyond 2^53 counts too: js-yaml rounds it to a double while
 * Python, Go and Java read it exactly.
 */
export function plainScalarAmbiguity(s: string): Ambiguity | undefined {
  if (surelyOneReading(s)) return undefined;
  const yaml12 = yaml12Reading(s);
  const yaml11 = yaml11Reading(s);
  if (
    yaml12.kind === 'number' &&
    /^[-+]?[0-9]+$/.test(s) &&
    yaml11.kind === 'number' &&
    !/^[-+]?0[0-9]/.test(s)
  ) {
    const exact = BigInt(s).toString();
    if (exact !== yaml12.text) return { yaml12, yaml11: { kind: 'number', text: exact } };
  }
  if (yaml12.kind !== yaml11.kind || yaml12.text !== yaml11.text) return { yaml12, yaml11 };
  const other = goOrSnakeAmbiguity(s, yaml12);
  if (other) return other;
  if (yaml12.kind === 'str' && BOOL_ANY_CASE.test(s))
    return { yaml12, yaml11: { kind: 'bool', text: 'a boolean in case-insensitive readers' } };
  return undefined;
}

/** Where YAML 1.1 agrees with 1.2 but Go's yaml or SnakeYAML still read a number differently. */
function goOrSnakeAmbiguity(s: string, yaml12: Reading): Ambiguity | undefined {
  const go = goIntReading(s);
  if (go && (yaml12.kind !== 'number' || yaml12.text !== go.text))
    return { yaml12, yaml11: go, by: "Go's yaml.v2/v3" };
  // Go drops underscores before reading any number: -0_e-9 is 0 there.
  if (s.includes('_')) {
    const g = yaml12Reading(s.replace(/_/g, ''));
    if (g.kind === 'number' && (yaml12.kind !== 'number' || yaml12.text !== g.text))
      return { yaml12, yaml11: g, by: "Go's yaml.v2/v3" };
  }
  const snake = snakeFloatReading(s);
  if (snake && (yaml12.kind !== snake.kind || yaml12.text !== snake.text))
    return { yaml12, yaml11: snake, by: 'SnakeYAML' };
  return undefined;
}

/** "400000", "true", "the string \"on\"", "a date": a reading for a reason text. */
export function describeReading(r: Reading, quote: (s: string) => string): string {
  switch (r.kind) {
    case 'str': {
      const q = quote(r.text);
      return q === r.text ? `the string "${q}"` : `a string (${q})`;
    }
    case 'null':
      return 'null';
    case 'bool':
      return r.text === 'true' || r.text === 'false' ? `the boolean ${r.text}` : r.text;
    case 'number':
      return r.text;
    case 'timestamp':
      return 'a date/time';
    case 'merge':
      return 'a merge key';
    case 'value':
      return 'the "value" key type (a PyYAML load error)';
    case 'error':
      return r.text;
  }
}
