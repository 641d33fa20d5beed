// One validated rule -> its definition and an executable check. CEL is
// parsed and type-checked here, once; evaluation only runs the program.
import type { Environment } from '@marcbachmann/cel-js';
import { POLICY_ENVS, type PolicyRule } from '../contracts/policy-file.js';
import type { Scenario } from '../contracts/report.js';
import { comprehensionDepth } from './ast-depth.js';
import { MAX_COMPREHENSION_NESTING } from './limits.js';
import type { BuiltinRegistry, RuleCheck, RuleDefinition } from './types.js';

export type CompiledCheck = { ok: true; check: RuleCheck } | { ok: false; error: string };

/** Defaults applied, action spelled out per environment: two spellings of one rule digest alike. */
export function normaliseRule(rule: PolicyRule): RuleDefinition {
  const environments = POLICY_ENVS.filter((e) => (rule.environments ?? POLICY_ENVS).includes(e));
  const action: RuleDefinition['action'] = {};
  for (const env of environments) {
    const a = typeof rule.action === 'string' ? rule.action : rule.action[env];
    if (a !== undefined) action[env] = a;
  }
  const def: RuleDefinition = {
    id: rule.id,
    scenario: rule.scenario,
    environments,
    severity: rule.severity,
    action,
    message: rule.message,
  };
  if (rule.expression !== undefined) def.expression = rule.expression;
  if (rule.builtin !== undefined) def.builtin = rule.builtin;
  if (rule.path !== undefined) def.path = rule.path;
  if (rule.description !== undefined) def.description = rule.description;
  if (rule.enforcement !== undefined) {
    const enforcement: NonNullable<RuleDefinition['enforcement']> = {};
    for (const env of environments) {
      const m = typeof rule.enforcement === 'string' ? rule.enforcement : rule.enforcement[env];
      if (m !== undefined) enforcement[env] = m;
    }
    def.enforcement = enforcement;
  }
  return def;
}

export function compileCheck(
  def: RuleDefinition,
  celEnv: Environment,
  builtins: BuiltinRegistry,
): CompiledCheck {
  if (def.builtin !== undefined) return compileBuiltin(def.builtin, def.scenario, builtins);
  if (def.expression !== undefined) return compileCel(def.expression, celEnv);
  return { ok: false, error: 'exactly one of "expression" or "builtin" is required' };
}

function compileBuiltin(name: string, scenario: Scenario, builtins: BuiltinRegistry): CompiledCheck {
  const builtin = builtins.get(name);
  if (!builtin)
    return {
      ok: false,
      error: `unknown builtin "${name}" (known: ${[...builtins.keys()].sort().join(', ')})`,
    };
  if (!builtin.scenarios.includes(scenario))
    return { ok: false, error: `builtin "${name}" does not support scenario ${scenario}` };
  return { ok: true, check: { kind: 'builtin', builtin } };
}

function compileCel(expression: string, celEnv: Environment): CompiledCheck {
  let program: ReturnType<Environment['parse']>;
  try {
    program = celEnv.parse(expression);
  } catch (e) {
    return { ok: false, error: `CEL syntax error: ${celErrorText(e)}` };
  }
  if (comprehensionDepth(program.ast) > MAX_COMPREHENSION_NESTING) {
    return {
      ok: false,
      error: `CEL expression nests more than ${MAX_COMPREHENSION_NESTING} comprehensions (all/exists/map/filter)`,
    };
  }
  const checked = program.check();
  if (!checked.valid) return { ok: false, error: `CEL type error: ${celErrorText(checked.error)}` };
  // dyn is allowed (e.g. `config.debug`): a non-bool result is then an evaluation error, which blocks.
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return { ok: false, error: `CEL expression must evaluate to bool, not ${checked.type ?? 'unknown'}` };
  }
  return { ok: true, check: { kind: 'cel', program: (vars) => program(vars) } };
}

/** First line plus column: the library's full message repeats the source with a caret. */
function celErrorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const line = e.message.split('\n', 1)[0] ?? e.message;
  const start = (e as { range?: { start?: number } }).range?.start;
  return typeof start === 'number' ? `${line} (at column ${start + 1})` : line;
}
