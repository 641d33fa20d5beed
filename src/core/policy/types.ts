// Shapes shared by compile, evaluate and the built-in checks.
import type { Action, Scenario, Severity } from '../contracts/report.js';
import type { PolicyEnv } from '../contracts/policy-file.js';
import type { EnforcementMode } from '../contracts/enforcement.js';

/** A rule after validation, defaults applied: the unit the digest is computed over. */
export interface RuleDefinition {
  id: string;
  scenario: Scenario;
  environments: PolicyEnv[];
  severity: Severity;
  /** One action per environment the rule applies to. */
  action: Partial<Record<PolicyEnv, Action>>;
  expression?: string;
  builtin?: string;
  path?: string;
  message: string;
  description?: string;
  /** The rule's own enforcement mode per environment (absent: the namespace's). */
  enforcement?: Partial<Record<PolicyEnv, EnforcementMode>>;
}

/** What `GET /api/v1/policies` lists: the definition plus where it came from. */
export interface RuleSummary extends RuleDefinition {
  /** File the rule was loaded from. */
  source: string;
  /** `metadata.name` of its PolicySet. */
  policySet: string;
}

/** Variables handed to rules: T1 `config`, `manifest`, `env`; T2 `manifest`, `env`, `signature`, `hash`, `wal`, `backup`. */
export type PolicyVars = Readonly<Record<string, unknown>>;

export interface BuiltinContext {
  scenario: Scenario;
  env: PolicyEnv;
  /** Normalised variables (plain objects, integers as bigint). */
  vars: PolicyVars;
}

/** One place a built-in check did not hold. `detail` never carries an input value. */
export interface BuiltinHit {
  path?: string;
  detail: string;
}

/** A check that CEL cannot express, addressed from a rule as `builtin: <name>`. */
export interface BuiltinCheck {
  readonly name: string;
  readonly description: string;
  readonly scenarios: readonly Scenario[];
  run(ctx: BuiltinContext): BuiltinHit[];
}

export type BuiltinRegistry = ReadonlyMap<string, BuiltinCheck>;

/** A compiled CEL program: call with the variables, get the result (or a throw). */
export type CelProgram = (vars: Record<string, unknown>) => unknown;

export type RuleCheck = { kind: 'cel'; program: CelProgram } | { kind: 'builtin'; builtin: BuiltinCheck };

export interface CompiledRule {
  readonly summary: RuleSummary;
  readonly check: RuleCheck;
}

export interface CompiledPolicySet {
  /** `sha256:<hex>` over the canonical JSON of the rule definitions sorted by id. */
  readonly digest: string;
  /** PolicySet names, sorted, unique. */
  readonly names: readonly string[];
  /** Rule summaries sorted by id. */
  readonly rules: readonly RuleSummary[];
  /** Internal: what evaluatePolicies runs, in the same order as `rules`. */
  readonly compiled: readonly CompiledRule[];
}

export type CompileResult = { ok: true; set: CompiledPolicySet } | { ok: false; errors: string[] };
