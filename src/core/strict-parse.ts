// Strict decoding of untrusted documents. Duplicate keys are an error (a
// second `tls.enabled` is a classic way to hide a change), aliases and size
// are capped, bytes must be UTF-8 text. JSON is parsed by the YAML 1.2 parser
// too, because JSON.parse silently keeps the last duplicate key.
import { CORE_SCHEMA, load as loadYaml, YAMLException } from 'js-yaml';
import { scanJsonShape } from './json-duplicates.js';
import { jsonSyntaxProblem, quotedName, safeDetail, yamlReason } from './safe-text.js';
import { loadConfigYaml, type ConfigAmbiguity } from './config-ambiguity.js';
import { describeError } from './errors.js';

export interface ParseLimits {
  maxBytes: number;
  maxAliases: number;
  maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxBytes: 1024 * 1024, maxAliases: 50, maxDepth: 64 };

export type ParseOutcome =
  | { ok: true; value: unknown; text: string }
  | { ok: false; message: string; ambiguities?: ConfigAmbiguity[] };

// One decoder for every call: a non-streaming decode() keeps no state between
// calls (the same reuse as core/replication/tar-reader.ts).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(
  bytes: Uint8Array,
  what: string,
): { ok: true; text: string } | { ok: false; message: string } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ok: false, message: `${what} contains binary data (NUL byte at offset ${nul})` };
  try {
    return { ok: true, text: UTF8.decode(bytes) };
  } catch {
    return { ok: false, message: `${what} is not valid UTF-8` };
  }
}

export function parseStrict(
  bytes: Uint8Array,
  what: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): ParseOutcome {
  return parseWith(bytes, what, limits, (text) => ({
    value: loadYaml(text, { schema: CORE_SCHEMA, json: false }),
    problems: [],
  }));
}

/**
 * App configs: parseStrict, plus one meaning or refuse. Their consumers read
 * YAML 1.1 or merge `<<` keys where the gate reads YAML 1.2 (see
 * config-ambiguity.ts), so every construct with two readings, and every
 * `__proto__` key, is refused with a `[config-ambiguous]` reason naming the
 * path and both readings. JSON configs go through the same reader: their
 * scalars are quoted strings or JSON numbers/literals, which read the same
 * under both versions.
 */
export function parseStrictConfig(
  bytes: Uint8Array,
  what: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): ParseOutcome {
  return parseWith(bytes, what, limits, loadConfigYaml);
}

function parseWith(
  bytes: Uint8Array,
  what: string,
  limits: ParseLimits,
  read: (text: string) => { value: unknown; problems: ConfigAmbiguity[] },
): ParseOutcome {
  if (bytes.byteLength > limits.maxBytes) {
    return { ok: false, message: `${what} is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}` };
  }
  const decoded = decodeUtf8(bytes, what);
  if (!decoded.ok) return decoded;
  if (decoded.text.trim() === '') return { ok: false, message: `${what} is empty` };
  let value: unknown;
  let problems: ConfigAmbiguity[];
  try {
    // CORE_SCHEMA is YAML 1.2's core schema: no timestamps, no merge keys,
    // no custom tags. Duplicate keys throw.
    ({ value, problems } = read(decoded.text));
  } catch (e) {
    if (e instanceof YAMLException)
      return { ok: false, message: `${what} is not valid YAML/JSON: ${yamlProblem(e)}` };
    if (e instanceof RangeError)
      return { ok: false, message: `${what} nests deeper than ${limits.maxDepth} levels` };
    return { ok: false, message: `${what} could not be parsed: ${safeDetail(describeError(e))}` };
  }
  const shape = measure(value, limits);
  // Size limits first: the ambiguity walk has already run, but a refusal for
  // alias expansion is the more basic answer.
  if (shape.aliases > limits.maxAliases)
    return {
      ok: false,
      message: `${what} reuses YAML aliases more than ${limits.maxAliases} times (alias expansion refused)`,
    };
  if (shape.depth > limits.maxDepth)
    return { ok: false, message: `${what} nests deeper than ${limits.maxDepth} levels` };
  if (shape.values > MAX_VALUES)
    return {
      ok: false,
      message: `${what} expands to more than ${MAX_VALUES} values (YAML alias expansion refused)`,
    };
  if (problems.length > 0)
    return {
      ok: false,
      message: `${what} has more than one meaning: ${problems.map((p) => `[config-ambiguous] ${p.message}`).join('; ')}`,
      ambiguities: problems,
    };
  return { ok: true, value, text: decoded.text };
}

/** "duplicated mapping key (at line 3, column 3)": js-yaml's reason with the position, without its source excerpt (it may hold a secret). */
function yamlProblem(e: YAMLException): string {
  const at = e.mark ? ` (at line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
  return `${yamlReason(e.reason || 'syntax error')}${at}`;
}

/**
 * JSON documents (manifests, request bodies): JSON syntax exactly, plus the
 * strict parser's duplicate-key, size and depth checks.
 */
export function parseStrictJson(
  bytes: Uint8Array,
  what: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): ParseOutcome {
  if (bytes.byteLength > limits.maxBytes) {
    return { ok: false, message: `${what} is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}` };
  }
  const decoded = decodeUtf8(bytes, what);
  if (!decoded.ok) return decoded;
  let value: unknown;
  try {
    value = JSON.parse(decoded.text);
  } catch {
    return { ok: false, message: `${what} is not valid JSON: ${jsonSyntaxProblem(decoded.text)}` };
  }
  const shape = scanJsonShape(decoded.text, limits.maxDepth);
  if (shape.depth > limits.maxDepth)
    return { ok: false, message: `${what} nests deeper than ${limits.maxDepth} levels` };
  if (shape.duplicate !== undefined)
    return { ok: false, message: `${what} has a duplicate key ${quotedName(shape.duplicate)}` };
  return { ok: true, value, text: decoded.text };
}

const MAX_VALUES = 200_000;

interface Shape {
  depth: number;
  values: number;
  aliases: number;
}

/**
 * Depth, value count and alias reuse of a parsed document, in one iterative
 * walk (no stack to blow). An alias is a container reached a second time:
 * js-yaml shares the object instead of copying it, so a "billion laughs"
 * document is small in memory but explodes for anything that walks it.
 */
function measure(root: unknown, limits: ParseLimits): Shape {
  const shape: Shape = { depth: 0, values: 0, aliases: 0 };
  const seen = new WeakSet<object>();
  // Two parallel stacks (value, its depth): no [value, depth] pair per value.
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop() as Record<string, unknown> | null;
    const d = depths.pop()!;
    shape.values++;
    if (shape.values > MAX_VALUES || shape.aliases > limits.maxAliases || shape.depth > limits.maxDepth)
      return shape;
    if (v === null || typeof v !== 'object') continue;
    if (seen.has(v)) shape.aliases++;
    seen.add(v);
    if (d > shape.depth) shape.depth = d;
    for (const key of Object.keys(v)) {
      values.push(v[key]);
      depths.push(d + 1);
    }
  }
  return shape;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
