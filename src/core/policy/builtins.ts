// Registry of built-in checks, addressed from rules as `builtin: <name>`.
// A function, not a module-level singleton: tests and embedders can add
// their own checks without mutating shared state.
import { publicBindBuiltin } from './public-bind.js';
import { secretKeyLengthBuiltin } from './secret-key-length.js';
import { secretScanBuiltin } from './secret-scan.js';
import type { BuiltinCheck, BuiltinRegistry } from './types.js';

export function defaultBuiltins(extra: readonly BuiltinCheck[] = []): BuiltinRegistry {
  const registry = new Map<string, BuiltinCheck>();
  for (const b of [secretScanBuiltin, secretKeyLengthBuiltin, publicBindBuiltin, ...extra]) {
    if (registry.has(b.name)) throw new Error(`builtin "${b.name}" registered twice`);
    registry.set(b.name, b);
  }
  return registry;
}
