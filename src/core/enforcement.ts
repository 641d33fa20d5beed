// Warn-first enforcement: turns the decision the checks reached into the
// one a warn or audit namespace enforces. Pure; the only place a BLOCK can
// become an admission.
//
// What may be relaxed, and why so little:
// - findings of rules in the loaded policy set (CEL or built-in rules from
//   policies/*.yaml): rolling out *policy* is what warn/audit are for;
// - `manifest-missing` (a gated ConfigMap with no manifest at all): it is
//   absent evidence, and the same namespace label holder could already take
//   the namespace out of the gate by removing migrationgate.io/enforce; in
//   warn/audit it is at least recorded and shown.
// Never relaxed, in any mode: evidence of tampering or of input the gate
// cannot read with one meaning (hash or digest mismatch, bad signature,
// environment mismatch, parse errors, ambiguity, outdated hashing, archive
// and WAL failures), and the gate's own failures (no policy set, deadline,
// internal error, audit store down). For those there is no "would have
// been": the gate does not know what it would admit, or knows it was
// tampered with, and a namespace label must not be a way around an
// integrity check. Any failed step other than `policies` keeps the BLOCK
// whatever its findings say. A rule can pin itself to `enforce` (the
// baseline does for signatures in prod), which a namespace cannot undo.
import type { EnforcementMode, EnforcementRecord } from './contracts/enforcement.js';
import type { PolicyEnv } from './contracts/policy-file.js';
import type { DecisionReport, Finding } from './contracts/report.js';
import type { RuleDefinition } from './policy/types.js';
import { reasonLine } from './decision.js';

/** Built-in findings that mean "no evidence yet", not "evidence of tampering". */
export const RELAXABLE_BUILTINS: ReadonlySet<string> = new Set(['manifest-missing']);

export interface EnforcementContext {
  /** The namespace's mode (the webhook path). */
  mode: EnforcementMode;
  env: PolicyEnv;
  /** The policy set's rules by id; a finding whose id is not here is a built-in. */
  rules: ReadonlyMap<string, Pick<RuleDefinition, 'enforcement'>>;
}

/** The mode one blocking finding is judged under: the rule's own, else the namespace's; `enforce` when not relaxable. */
export function findingMode(f: Finding, ctx: EnforcementContext): EnforcementMode {
  const rule = ctx.rules.get(f.rule);
  if (rule) return rule.enforcement?.[ctx.env] ?? ctx.mode;
  return RELAXABLE_BUILTINS.has(f.rule) ? ctx.mode : 'enforce';
}

/** Steps whose failure a policy finding explains; any other failed step is not relaxable. */
const RELAXABLE_STEPS: ReadonlySet<string> = new Set(['policies']);

export function applyEnforcement(report: DecisionReport, ctx: EnforcementContext): DecisionReport {
  const blocking = report.findings.filter((f) => f.action === 'block');
  const modes = blocking.map((f) => ({ f, mode: findingMode(f, ctx) }));
  const relaxedFindings = modes.filter((m) => m.mode !== 'enforce').map((m) => m.f);
  const enforced = [...new Set(modes.filter((m) => m.mode === 'enforce').map((m) => m.f.rule))];
  const relaxed = [...new Set(relaxedFindings.map((f) => f.rule))];
  const onlyRelaxable =
    blocking.length > 0 &&
    enforced.length === 0 &&
    report.steps.every(
      (s) => s.status !== 'fail' || RELAXABLE_STEPS.has(s.step) || relaxedOwnStep(s.step, blocking),
    ) &&
    report.reasons.length === blocking.length;
  // Nothing to relax (an ALLOW, or a mode that relaxes nothing): the report stands, only the mode is noted.
  if (ctx.mode === 'enforce' && relaxed.length === 0) return report;
  const record: EnforcementRecord = {
    mode: ctx.mode,
    would_be: report.decision,
    outcome: report.decision,
    relaxed: [],
    enforced,
  };
  if (report.decision === 'ALLOW' || !onlyRelaxable) {
    return {
      ...report,
      enforcement: {
        ...record,
        enforced: report.decision === 'ALLOW' ? [] : [...new Set(blocking.map((f) => f.rule))],
      },
    };
  }
  const warnLines = relaxedFindings
    .filter((f) => findingMode(f, ctx) === 'warn')
    .map((f) => `(warn mode: would block) ${reasonLine(f)}`);
  return {
    ...report,
    decision: 'ALLOW',
    warnings: [...warnLines, ...report.warnings],
    enforcement: { ...record, outcome: 'ALLOW', relaxed },
  };
}

/** `manifest-missing` fails the parse step of its own rejection; relaxing the finding relaxes that step. */
function relaxedOwnStep(step: string, blocking: readonly Finding[]): boolean {
  return step === 'parse' && blocking.length > 0 && blocking.every((f) => RELAXABLE_BUILTINS.has(f.rule));
}
