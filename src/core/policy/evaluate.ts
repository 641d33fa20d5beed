// Run the compiled rules for one scenario and environment -> findings.
//
// Fail closed: a rule that cannot be evaluated does not pass. When CEL throws
// (a missing key: `config.tls.enabled` with no `tls` section; a type
// mismatch: `"yes" > 1`) or returns something other than a bool, the result
// is a `policy-evaluation-error` finding with action `block` naming the rule.
// Rule authors who mean "absent is fine" must say so with has() or optional
// chaining (`!has(config.debug) || ...`, `config.?tls.?verify.orValue(true)`).
//
// The message of that finding carries the CEL error CODE only, never the
// library's text: it can quote input values (`No such key: <value>` for
// `config[config.x]`), and a value may be a secret.
import { POLICY_ENVS, type PolicyEnv } from '../contracts/policy-file.js';
import { ScenarioSchema, type Finding, type Scenario, type Severity } from '../contracts/report.js';
import { PolicyInputError, toCelValue } from './cel-values.js';
import { foundSuffix } from './found-value.js';
import { MAX_FINDINGS_PER_RULE } from './limits.js';
import type { CompiledPolicySet, CompiledRule, RuleSummary } from './types.js';

export const POLICY_EVALUATION_ERROR = 'policy-evaluation-error';
const SCENARIOS: readonly Scenario[] = ScenarioSchema.options;

export interface PolicyInput {
  scenario: Scenario;
  env: PolicyEnv;
  /**
   * See SCENARIO_VARIABLES (cel-environment.ts) for the names per scenario;
   * `env` is set from `env` above. Typed `object` so typed facts
   * (ReplicationFacts, an interface) pass without a cast.
   */
  vars: object;
}

/** Never throws: every failure becomes a blocking finding. Findings are ordered by rule id. */
export function evaluatePolicies(set: CompiledPolicySet, input: PolicyInput): Finding[] {
  // Callers pass strings from parsed input: an unknown env or scenario would
  // match no rule and pass silently, so it blocks instead.
  if (!POLICY_ENVS.includes(input.env) || !SCENARIOS.includes(input.scenario)) {
    return [
      {
        rule: POLICY_EVALUATION_ERROR,
        severity: 'critical',
        action: 'block',
        message: 'policies were not evaluated: unknown scenario or environment',
      },
    ];
  }
  const rules = set.compiled.filter(
    (r) => r.summary.scenario === input.scenario && r.summary.environments.includes(input.env),
  );
  if (rules.length === 0) return [];
  let vars: Record<string, unknown>;
  try {
    vars = toCelValue({ ...input.vars, env: input.env }) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof PolicyInputError ? e.message : 'input could not be prepared';
    return [
      {
        rule: POLICY_EVALUATION_ERROR,
        severity: 'critical',
        action: 'block',
        message: `policies were not evaluated: ${why}`,
      },
    ];
  }
  return rules.flatMap((rule) => evaluateRule(rule, input, vars));
}

function evaluateRule(rule: CompiledRule, input: PolicyInput, vars: Record<string, unknown>): Finding[] {
  const s = rule.summary;
  try {
    if (rule.check.kind === 'builtin') {
      const hits = rule.check.builtin.run({ scenario: input.scenario, env: input.env, vars });
      return capped(
        s,
        input.env,
        hits.map((h) => finding(s, input.env, `${s.message}: ${h.detail}`, h.path)),
      );
    }
    const result = rule.check.program(vars);
    if (result === true) return [];
    if (result === false) {
      const root = input.scenario === 'T1' ? vars.config : vars;
      return [finding(s, input.env, `${s.message}${foundSuffix(root, s.path)}`, s.path)];
    }
    return [evaluationError(s, `returned a ${typeof result}, not a bool`)];
  } catch (e) {
    return [evaluationError(s, `failed (${errorCode(e)})`)];
  }
}

function finding(s: RuleSummary, env: PolicyEnv, message: string, path: string | undefined): Finding {
  const f: Finding = { rule: s.id, severity: s.severity, action: s.action[env] ?? 'block', message };
  if (path !== undefined) f.path = path;
  return f;
}

/** A config full of secrets must not produce an unbounded report. */
function capped(s: RuleSummary, env: PolicyEnv, findings: Finding[]): Finding[] {
  if (findings.length <= MAX_FINDINGS_PER_RULE) return findings;
  const more = finding(
    s,
    env,
    `${s.message}: ${findings.length - MAX_FINDINGS_PER_RULE} more not listed`,
    undefined,
  );
  return [...findings.slice(0, MAX_FINDINGS_PER_RULE), more];
}

const AT_LEAST_HIGH: Record<Severity, Severity> = {
  critical: 'critical',
  high: 'high',
  medium: 'high',
  low: 'high',
};

function evaluationError(s: RuleSummary, what: string): Finding {
  const f: Finding = {
    rule: POLICY_EVALUATION_ERROR,
    severity: AT_LEAST_HIGH[s.severity],
    action: 'block',
    message: `rule "${s.id}" could not be evaluated: ${what}; the gate fails closed (guard optional fields with has())`,
  };
  if (s.path !== undefined) f.path = s.path;
  return f;
}

/** The library's stable error code (`no_such_key`), or the error class name: never its message. */
function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[a-z_]{1,40}$/.test(code)) return code;
  return e instanceof Error ? e.name.slice(0, 40) : 'unknown error';
}
