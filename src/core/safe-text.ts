// The one sanitiser for caller text that ends up in a reason, a finding
// path, a log line or a page. Parse and validation messages say WHERE
// (line, column, byte offset, path) and WHAT KIND of problem, never the
// text: a manifest, a key, a header or a file name may be a secret.
// Names are echoed only when they are plain identifiers that the secret
// scanner's detector does not flag; control characters are never echoed.
import { detectTokenKind } from './policy/secret-patterns.js';

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
/** File and entry names (archive members, WAL files, uploads): path characters only. */
const PLAIN_FILE_NAME = /^[A-Za-z0-9_.+/-]{1,200}$/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Text that may be echoed as it is: no control character, nothing the secret detector flags. */
export function isEchoable(text: string): boolean {
  return !HAS_CONTROL.test(text) && detectTokenKind(text) === undefined;
}

/** `name` when it may be echoed, else undefined. */
export function plainName(name: string): string | undefined {
  return PLAIN_NAME.test(name) && detectTokenKind(name) === undefined ? name : undefined;
}

/** `"name"`, or a placeholder that says why it is not shown. */
export function quotedName(name: string): string {
  const p = plainName(name);
  return p === undefined ? '(a name that is not a plain identifier, not shown)' : `"${p}"`;
}

/** A finding path built from caller names (manifest paths, archive entries, WAL files): as is when plain, else `(withheld)`. */
export function safeFilePath(path: string): string {
  return /^[A-Za-z0-9_.+/[\]-]{1,200}$/.test(path) && detectTokenKind(path) === undefined
    ? path
    : '(withheld)';
}

/** A file or archive entry name, quoted, or a placeholder. */
export function quotedFileName(name: string): string {
  return PLAIN_FILE_NAME.test(name) && detectTokenKind(name) === undefined
    ? `"${name}"`
    : '(a name with characters outside [A-Za-z0-9_.+/-], not shown)';
}

/**
 * A caller-chosen identifier shown as the subject of a decision (app id,
 * version, object name, user): kept unless the detector flags it or it holds
 * control characters; capped.
 */
export function safeIdentifier(value: string, max = 253): string {
  if (HAS_CONTROL.test(value) || detectTokenKind(value) !== undefined)
    return '(withheld: not a plain identifier)';
  return value.slice(0, max);
}

/** A finding path: `a.b[0].c`; a segment that may not be echoed is `[?]`. */
export function safePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else {
      const p = plainName(String(step));
      if (p === undefined) out += '[?]';
      else out += out === '' ? p : `.${p}`;
    }
  }
  return out;
}

/** Text from a library or the system: control characters replaced, one line, capped; withheld if it holds a token. */
export function safeDetail(text: string, max = 200): string {
  const line = (text.split(/\r?\n/, 1)[0] ?? '').replace(CONTROLS, '?');
  if (detectTokenKind(text) !== undefined)
    return '(detail withheld: it quotes something that looks like a credential)';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A media type echoed back only when it is a plain token (`application/x-foo`). */
export function safeMediaType(type: string): string {
  if (type === '') return '(none)';
  return /^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}$/.test(type) &&
    detectTokenKind(type) === undefined
    ? `"${type}"`
    : '(not shown)';
}

/** A URL path for a 404: echoed when it is made of plain path characters. */
export function safeUrlPath(path: string): string {
  return /^[A-Za-z0-9_./-]{1,200}$/.test(path) && detectTokenKind(path) === undefined ? path : '(this path)';
}

/** Line, column (1-based, in characters) and byte offset of `offset` in `text`. */
export function positionOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column} (byte offset ${new TextEncoder().encode(before).length})`;
}

/**
 * js-yaml's reason without the input it quotes: an alias or tag name, a
 * directive, a character. Its vocabulary is fixed apart from those.
 */
export function yamlReason(reason: string): string {
  const cleaned = (reason.split('\n', 1)[0] ?? '')
    .replace(/"[^"]*"?|'[^']*'?|!<[^>]*>?|![^\s,]*/g, '(…)')
    .replace(CONTROLS, '?')
    .slice(0, 120);
  return detectTokenKind(cleaned) === undefined ? cleaned || 'syntax error' : 'syntax error';
}

/** Where and what kind of JSON syntax error `text` has (JSON.parse's own message quotes the text). */
export function jsonSyntaxProblem(text: string): string {
  const e = locateJsonError(text);
  return e ? `${e.problem} at ${positionOf(text, e.offset)}` : 'syntax error';
}

interface JsonError {
  offset: number;
  problem: string;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9A-Fa-f]{4}$/;

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'eof';

interface JsonScan {
  text: string;
  i: number;
  stack: string[];
  expect: Expect;
}

/** The first JSON syntax error in `text` (RFC 8259), or undefined. Iterative: no nesting limit. */
export function locateJsonError(text: string): JsonError | undefined {
  const st: JsonScan = { text, i: 0, stack: [], expect: 'value' };
  while (true) {
    while (st.i < text.length && ' \t\n\r'.includes(text[st.i]!)) st.i++;
    if (st.i >= text.length)
      return st.expect === 'eof' ? undefined : { offset: text.length, problem: 'unexpected end of input' };
    const e = step(st, text[st.i]!);
    if (e) return e;
  }
}

function step(st: JsonScan, ch: string): JsonError | undefined {
  switch (st.expect) {
    case 'eof':
      return { offset: st.i, problem: 'unexpected text after the JSON value' };
    case 'colon':
      if (ch !== ':') return { offset: st.i, problem: "expected ':' after a property name" };
      st.i++;
      st.expect = 'value';
      return undefined;
    case 'comma-or-close':
      return commaOrClose(st, ch);
    case 'key':
    case 'key-or-close':
      return key(st, ch);
    default:
      return value(st, ch);
  }
}

function closeOne(st: JsonScan): undefined {
  st.stack.pop();
  st.i++;
  afterValue(st);
  return undefined;
}

function afterValue(st: JsonScan): void {
  st.expect = st.stack.length > 0 ? 'comma-or-close' : 'eof';
}

function commaOrClose(st: JsonScan, ch: string): JsonError | undefined {
  const close = st.stack[st.stack.length - 1] === '{' ? '}' : ']';
  if (ch === close) return closeOne(st);
  if (ch !== ',') return { offset: st.i, problem: `expected ',' or '${close}'` };
  st.i++;
  st.expect = close === '}' ? 'key' : 'value';
  return undefined;
}

function key(st: JsonScan, ch: string): JsonError | undefined {
  if (ch === '}' && st.expect === 'key-or-close') return closeOne(st);
  if (ch !== '"') return { offset: st.i, problem: 'expected a property name in double quotes' };
  const s = stringEnd(st.text, st.i);
  if (typeof s !== 'number') return s;
  st.i = s;
  st.expect = 'colon';
  return undefined;
}

function value(st: JsonScan, ch: string): JsonError | undefined {
  if (ch === ']' && st.expect === 'value-or-close') return closeOne(st);
  if (ch === '{' || ch === '[') {
    st.stack.push(ch);
    st.i++;
    st.expect = ch === '{' ? 'key-or-close' : 'value-or-close';
    return undefined;
  }
  const end = scalarEnd(st.text, st.i, ch);
  if (typeof end !== 'number') return end;
  st.i = end;
  afterValue(st);
  return undefined;
}

function scalarEnd(text: string, i: number, ch: string): number | JsonError {
  if (ch === '"') return stringEnd(text, i);
  for (const word of ['true', 'false', 'null']) if (text.startsWith(word, i)) return i + word.length;
  NUMBER.lastIndex = i;
  if (!NUMBER.test(text)) return { offset: i, problem: 'unexpected character where a value should start' };
  return NUMBER.lastIndex;
}

/** Index just past the string starting at `start`, or the error inside it. */
function stringEnd(text: string, start: number): number | JsonError {
  for (let j = start + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x22) return j + 1;
    if (c < 0x20) return { offset: j, problem: 'control character inside a string' };
    if (c === 0x5c) {
      const e = text[j + 1];
      if (e === 'u') {
        if (!HEX4.test(text.slice(j + 2, j + 6)))
          return { offset: j, problem: 'invalid \\u escape in a string' };
        j += 5;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) j++;
      else return { offset: j, problem: 'invalid escape in a string' };
    }
  }
  return { offset: text.length, problem: 'unterminated string' };
}
