// Enforcement modes (warn-first rollouts), like Gatekeeper's
// enforcementAction and Kyverno's validationFailureAction:
//   enforce  a BLOCK is a denial (the default);
//   warn     a policy BLOCK is admitted, with kubectl warnings saying what would have blocked;
//   audit    a policy BLOCK is admitted silently.
// Both non-enforcing modes record the decision that would have been made.
// What they may relax is narrow on purpose (core/enforcement.ts).
import { z } from 'zod';

// The decision enum again (report.ts imports this file; a cycle would not initialise).
const DecisionSchema = z.enum(['ALLOW', 'BLOCK']);

export const EnforcementModeSchema = z.enum(['enforce', 'warn', 'audit']);
export type EnforcementMode = z.infer<typeof EnforcementModeSchema>;
export const ENFORCEMENT_MODES: readonly EnforcementMode[] = EnforcementModeSchema.options;

/** A rule's own mode, for every environment or per environment; it wins over the namespace's. */
export const RuleEnforcementSchema = z.union([
  EnforcementModeSchema,
  z.strictObject({ prod: EnforcementModeSchema.optional(), staging: EnforcementModeSchema.optional() }),
]);
export type RuleEnforcement = z.infer<typeof RuleEnforcementSchema>;

/** What the audit record says about enforcement: the namespace's mode, the would-be decision and what was enforced. */
export const EnforcementRecordSchema = z.object({
  /** The mode the request came in under (webhook path, chosen by the namespace label). */
  mode: EnforcementModeSchema,
  /** The decision the checks reached. */
  would_be: DecisionSchema,
  /** What the gate answered: the report's `decision`. */
  outcome: DecisionSchema,
  /** Blocking rule ids admitted anyway (warn/audit, namespace or rule mode). */
  relaxed: z.array(z.string()),
  /** Blocking rule ids that stayed blocking (enforce mode, a rule pinned to enforce, or not relaxable). */
  enforced: z.array(z.string()),
});
export type EnforcementRecord = z.infer<typeof EnforcementRecordSchema>;
