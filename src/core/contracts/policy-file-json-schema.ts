// The JSON Schema of a policy file, generated from the zod schema (the one
// definition), for editors: policies/*.yaml name the shipped copy
// (schemas/policyset.v1alpha1.schema.json) in a yaml-language-server
// comment. Draft-07 because that is what editors' YAML servers read best.
// Cross-field checks (exactly one of expression/builtin, an action per
// environment) are refinements JSON Schema does not carry: the gate and
// `migration-gate policy lint` still enforce them.
import { z } from 'zod';
import { PolicyFileSchema } from './policy-file.js';

export const POLICY_SCHEMA_ID = 'https://migration-gate.io/schemas/policyset.v1alpha1.schema.json';

export function policyFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicyFileSchema, { target: 'draft-7', unrepresentable: 'throw' });
  return { ...schema, $id: POLICY_SCHEMA_ID, title: 'migration-gate PolicySet (migrationgate.io/v1alpha1)' };
}
