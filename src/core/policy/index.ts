// The policy engine's public surface: compile files once, evaluate many times.
export { compilePolicySet, policyDigest, type CompileOptions } from './compile.js';
export { evaluatePolicies, POLICY_EVALUATION_ERROR, type PolicyInput } from './evaluate.js';
export { defaultBuiltins } from './builtins.js';
export { findPublicBinds, publicBindBuiltin } from './public-bind.js';
export { readBindHost, type BindReading } from './bind-host.js';
export { scanForSecrets, secretScanBuiltin, type SecretHit } from './secret-scan.js';
export { SCENARIO_VARIABLES } from './cel-environment.js';
export type { PolicyFileSource } from './parse-policy-file.js';
export type {
  BuiltinCheck,
  BuiltinContext,
  BuiltinHit,
  BuiltinRegistry,
  CompiledPolicySet,
  CompileResult,
  RuleDefinition,
  RuleSummary,
} from './types.js';
