// A policy file (`policies/*.yaml`): one PolicySet of rules. Rules are data,
// so the schema is strict everywhere a typo could silently change meaning:
// an unknown key in a rule (`expresion:`) is an error, not an ignored field.
import { z } from 'zod';
import { ActionSchema, ScenarioSchema, SeveritySchema } from './report.js';
import { EnvironmentSchema, type Environment } from './migration-manifest.js';
import { RuleEnforcementSchema } from './enforcement.js';

export const POLICY_API_VERSION = 'migrationgate.io/v1alpha1';
export const POLICY_KIND = 'PolicySet';

/** Longest CEL expression accepted; longer ones are refused before parsing. */
export const MAX_EXPRESSION_LENGTH = 4096;

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const RuleIdSchema = z.string().max(63).regex(KEBAB, 'must be kebab-case (a-z, 0-9, single dashes)');

export const PolicyEnvSchema = EnvironmentSchema;
export type PolicyEnv = Environment;
export const POLICY_ENVS: readonly PolicyEnv[] = PolicyEnvSchema.options;

/** `block` | `warn`, or one action per environment. */
export const RuleActionSchema = z.union([
  ActionSchema,
  z.strictObject({ prod: ActionSchema.optional(), staging: ActionSchema.optional() }),
]);
export type RuleAction = z.infer<typeof RuleActionSchema>;

export const PolicyRuleSchema = z
  .strictObject({
    id: RuleIdSchema,
    scenario: ScenarioSchema,
    /** Omitted: the rule applies to every environment. */
    environments: z.array(PolicyEnvSchema).min(1).optional(),
    severity: SeveritySchema,
    action: RuleActionSchema,
    /** CEL that must evaluate to true for the rule to hold. */
    expression: z.string().min(1).max(MAX_EXPRESSION_LENGTH).optional(),
    /** A built-in check by name (see core/policy/builtins.ts). */
    builtin: z.string().regex(KEBAB, 'must be kebab-case').optional(),
    /** Dotted path reported with the finding; T1: relative to `config`, T2: from the variables root (`signature.verified`). */
    path: z.string().min(1).max(256).optional(),
    message: z.string().min(1).max(500),
    /** Overrides the namespace's enforcement mode for this rule (enforce | warn | audit, or per environment). */
    enforcement: RuleEnforcementSchema.optional(),
    description: z.string().max(4000).optional(),
  })
  .superRefine((rule, ctx) => {
    if ((rule.expression === undefined) === (rule.builtin === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'exactly one of "expression" or "builtin" is required' });
    }
    const envs = rule.environments ?? POLICY_ENVS;
    if (new Set(envs).size !== envs.length) {
      ctx.addIssue({ code: 'custom', path: ['environments'], message: 'environments must not repeat' });
    }
    if (typeof rule.action === 'object') {
      const action = rule.action;
      for (const env of envs) {
        if (action[env] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['action'],
            message: `action has no entry for environment "${env}"`,
          });
        }
      }
    }
  });
export type PolicyRule = z.infer<typeof PolicyRuleSchema>;

export const PolicyFileSchema = z.strictObject({
  apiVersion: z.literal(POLICY_API_VERSION),
  kind: z.literal(POLICY_KIND),
  metadata: z.strictObject({
    name: z.string().max(63).regex(KEBAB, 'must be kebab-case'),
    description: z.string().max(4000).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  rules: z.array(PolicyRuleSchema).max(500),
});
export type PolicyFile = z.infer<typeof PolicyFileSchema>;
