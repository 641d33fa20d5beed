// One comparable form for a parsed config, whichever language read it:
// numbers as exact decimals when integral (int 1 == float 1.0, and a double
// that rounded 2^64 differs from the exact integer), non-integers in JS's
// shortest form; maps as {"#m": {...}} with string keys (the loaders turn
// bool/int/null keys into "true"/"1"/"null" the same way); dates, bytes and
// other non-JSON values tagged so they never equal a string.
import { numberText } from '../../src/core/yaml-ambiguity.js';

export function canonicalOfGate(v: unknown): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return { '#n': numberText(v) };
  if (Array.isArray(v)) return v.map(canonicalOfGate);
  if (typeof v === 'object') {
    const m: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      Object.defineProperty(m, k, {
        value: canonicalOfGate(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return { '#m': m };
  }
  return { '#other': typeof v };
}

/** Loader output -> the same form: "#f" floats re-read as JS doubles so 1e-05 (Python) == 1.0E-5 (Java) == 0.00001. */
export function normaliseLoader(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(normaliseLoader);
  const o = v as Record<string, unknown>;
  if (typeof o['#f'] === 'string') return { '#n': numberText(Number(o['#f'])) };
  if (o['#m'] && typeof o['#m'] === 'object') {
    const m: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o['#m'] as Record<string, unknown>))
      Object.defineProperty(m, k, {
        value: normaliseLoader(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return { '#m': m };
  }
  return v;
}

/** Stable text (sorted keys) for equality and for printing. */
export function stable(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable(o[k])}`)
    .join(',')}}`;
}
