// Strict decoding of untrusted documents. Duplicate keys are an error (a
// second `tls.enabled` is a classic way to hide a change), aliases and size
// are capped, bytes must be UTF-8 text. JSON is parsed by the YAML 1.2 parser
// too, because JSON.parse silently keeps the last duplicate key.
import { parseDocument } from 'yaml';
import { scanJsonShape } from './json-duplicates.js';

export interface ParseLimits {
  maxBytes: number;
  maxAliases: number;
  maxDepth: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxBytes: 1024 * 1024, maxAliases: 50, maxDepth: 64 };

export type ParseOutcome = { ok: true; value: unknown; text: string } | { ok: false; message: string };

export function decodeUtf8(bytes: Uint8Array, what: string): { ok: true; text: string } | { ok: false; message: string } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ok: false, message: `${what} contains binary data (NUL byte at offset ${nul})` };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, message: `${what} is not valid UTF-8` };
  }
}

export function parseStrict(bytes: Uint8Array, what: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParseOutcome {
  if (bytes.byteLength > limits.maxBytes) {
    return { ok: false, message: `${what} is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}` };
  }
  const decoded = decodeUtf8(bytes, what);
  if (!decoded.ok) return decoded;
  if (decoded.text.trim() === '') return { ok: false, message: `${what} is empty` };
  try {
    const doc = parseDocument(decoded.text, { uniqueKeys: true, strict: true, prettyErrors: false, version: '1.2' });
    const problem = doc.errors[0];
    if (problem) return { ok: false, message: `${what} is not valid YAML/JSON: ${firstLine(problem.message)}` };
    const value: unknown = doc.toJS({ maxAliasCount: limits.maxAliases });
    const depth = depthOf(value, limits.maxDepth);
    if (depth > limits.maxDepth) return { ok: false, message: `${what} nests deeper than ${limits.maxDepth} levels` };
    return { ok: true, value, text: decoded.text };
  } catch (e) {
    return { ok: false, message: `${what} could not be parsed: ${firstLine(e instanceof Error ? e.message : String(e))}` };
  }
}

/**
 * JSON documents (manifests, request bodies): JSON syntax exactly, plus the
 * strict parser's duplicate-key, size and depth checks.
 */
export function parseStrictJson(bytes: Uint8Array, what: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParseOutcome {
  if (bytes.byteLength > limits.maxBytes) {
    return { ok: false, message: `${what} is ${bytes.byteLength} bytes; the limit is ${limits.maxBytes}` };
  }
  const decoded = decodeUtf8(bytes, what);
  if (!decoded.ok) return decoded;
  let value: unknown;
  try {
    value = JSON.parse(decoded.text);
  } catch (e) {
    return { ok: false, message: `${what} is not valid JSON: ${firstLine(e instanceof Error ? e.message : String(e))}` };
  }
  const shape = scanJsonShape(decoded.text, limits.maxDepth);
  if (shape.depth > limits.maxDepth) return { ok: false, message: `${what} nests deeper than ${limits.maxDepth} levels` };
  if (shape.duplicate !== undefined) return { ok: false, message: `${what} has a duplicate key "${shape.duplicate.slice(0, 64)}"` };
  return { ok: true, value, text: decoded.text };
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).slice(0, 200);
}

/** Depth of nested containers, stopping early once past `cap`. Iterative: no stack to blow. */
function depthOf(root: unknown, cap: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > cap) return max;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return max;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
