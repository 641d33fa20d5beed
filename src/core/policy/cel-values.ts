// Parsed YAML/JSON -> values CEL handles predictably, with input caps.
// - Integral numbers become bigint: CEL integers are int64, and a JS number
//   is a CEL double, so `config.pbkdf2_iterations + 1` would otherwise fail
//   with "no such overload double + int". Non-integral and unsafe-sized
//   numbers stay doubles.
// - Objects are rebuilt with a null prototype: a key named `__proto__` is
//   then a plain key, never a prototype switch. An object with its own
//   `constructor` key becomes a Map instead: cel-js types an object by its
//   `.constructor`, so the key would make every rule fail (unsupported
//   type) and block good configs; a Map is a CEL map whatever its keys.
// - Anything that is not JSON-like data (functions, class instances) is
//   refused: the caller fails closed.
import { INPUT_LIMITS } from './limits.js';

export class PolicyInputError extends Error {
  override readonly name = 'PolicyInputError';
}

interface Budget {
  nodes: number;
}

export function toCelValue(
  value: unknown,
  limits: { maxNodes: number; maxDepth: number } = INPUT_LIMITS,
): unknown {
  return convert(value, 0, { nodes: 0 }, limits);
}

function convert(
  value: unknown,
  depth: number,
  budget: Budget,
  limits: { maxNodes: number; maxDepth: number },
): unknown {
  budget.nodes += 1;
  if (budget.nodes > limits.maxNodes)
    throw new PolicyInputError(`input has more than ${limits.maxNodes} values`);
  if (depth > limits.maxDepth)
    throw new PolicyInputError(`input is nested deeper than ${limits.maxDepth} levels`);
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
    case 'bigint':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'object':
      return convertObject(value, depth, budget, limits);
    default:
      throw new PolicyInputError(`input holds a ${typeof value}, which is not data`);
  }
}

function convertObject(
  value: object,
  depth: number,
  budget: Budget,
  limits: { maxNodes: number; maxDepth: number },
): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, depth + 1, budget, limits));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return value;
  const out = Object.create(null) as Record<string, unknown>;
  let asMap = false;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (v === undefined) continue;
      const key = String(k);
      if (key === 'constructor') asMap = true;
      out[key] = convert(v, depth + 1, budget, limits);
    }
  } else if (isPlain(value)) {
    // Own enumerable string keys, as Object.entries gives them, without the pair arrays.
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const v = record[key];
      if (v === undefined) continue;
      if (key === 'constructor') asMap = true;
      out[key] = convert(v, depth + 1, budget, limits);
    }
  } else fail(value);
  return asMap ? new Map(Object.keys(out).map((k) => [k, out[k]])) : out;
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function fail(value: object): never {
  throw new PolicyInputError(
    `input holds a ${value.constructor?.name ?? 'non-plain'} object, which is not data`,
  );
}
