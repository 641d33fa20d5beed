// Policy files -> one compiled, immutable policy set. All or nothing: any
// error in any file rejects the whole set, and the caller keeps serving the
// last good one (a half-loaded set would silently drop rules).
import type { Environment } from '@marcbachmann/cel-js';
import type { Scenario } from '../contracts/report.js';
import { canonicalJson, sha256Hex } from '../hashing.js';
import { defaultBuiltins } from './builtins.js';
import { createCelEnvironment } from './cel-environment.js';
import { compileCheck, normaliseRule } from './compile-rule.js';
import { parsePolicyFile, type PolicyFileSource } from './parse-policy-file.js';
import type {
  BuiltinRegistry,
  CompiledPolicySet,
  CompiledRule,
  CompileResult,
  RuleDefinition,
  RuleSummary,
} from './types.js';

export interface CompileOptions {
  /** Built-in checks rules may name; defaults to defaultBuiltins(). */
  builtins?: BuiltinRegistry;
}

export function compilePolicySet(
  files: readonly PolicyFileSource[],
  options: CompileOptions = {},
): CompileResult {
  if (files.length === 0) return { ok: false, errors: ['no policy files: refusing an empty policy set'] };
  const builtins = options.builtins ?? defaultBuiltins();
  const celEnvs: Record<Scenario, Environment> = {
    T1: createCelEnvironment('T1'),
    T2: createCelEnvironment('T2'),
  };
  const errors: string[] = [];
  const compiled: CompiledRule[] = [];
  const seen = new Map<string, string>();
  const names = new Set<string>();

  for (const source of files) {
    const parsed = parsePolicyFile(source);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    names.add(parsed.file.metadata.name);
    for (const rule of parsed.file.rules) {
      const def = normaliseRule(rule);
      const where = `${source.name}: rule "${def.id}"`;
      const first = seen.get(def.id);
      if (first !== undefined) {
        errors.push(`${where}: duplicate rule id (first defined in ${first})`);
        continue;
      }
      seen.set(def.id, source.name);
      const check = compileCheck(def, celEnvs[def.scenario], builtins);
      if (!check.ok) {
        errors.push(`${where}: ${check.error}`);
        continue;
      }
      const summary: RuleSummary = { ...def, source: source.name, policySet: parsed.file.metadata.name };
      compiled.push(Object.freeze({ summary: Object.freeze(summary), check: check.check }));
    }
  }
  if (errors.length === 0 && compiled.length === 0)
    errors.push('the policy files hold no rules: refusing an empty policy set');
  if (errors.length > 0) return { ok: false, errors };

  compiled.sort((a, b) => compareIds(a.summary.id, b.summary.id));
  const set: CompiledPolicySet = {
    digest: policyDigest(compiled.map((c) => definitionOf(c.summary))),
    names: Object.freeze([...names].sort()),
    rules: Object.freeze(compiled.map((c) => c.summary)),
    compiled: Object.freeze(compiled),
  };
  return { ok: true, set: Object.freeze(set) };
}

/** Digest over definitions only: renaming or reordering files does not change it. */
export function policyDigest(defs: readonly RuleDefinition[]): string {
  const sorted = [...defs].sort((a, b) => compareIds(a.id, b.id));
  return `sha256:${sha256Hex(canonicalJson(sorted))}`;
}

function definitionOf(summary: RuleSummary): RuleDefinition {
  const { source: _source, policySet: _policySet, ...def } = summary;
  return def;
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
