// Use case T1: manifest + config in, recorded decision out.
import { evaluateMigration } from '../core/migration.js';
import { evaluatePolicies } from '../core/policy/evaluate.js';
import type { DecisionReport, Evaluation, Subject } from '../core/contracts/report.js';
import type { GateContext } from './gate-context.js';
import { recordDecision, type RecordOptions } from './record-decision.js';
import { policyUnavailable } from './rejections.js';

export interface MigrationRequest {
  manifest: Uint8Array | unknown;
  config: Uint8Array;
  subject?: Subject;
}

export function evaluateMigrationWith(ctx: GateContext, req: MigrationRequest, maxConfigBytes: number): Evaluation {
  const set = ctx.policies.current();
  if (!set) return policyUnavailable('T1', req.subject ?? {});
  return evaluateMigration({
    manifest: req.manifest,
    config: req.config,
    subject: req.subject ?? {},
    limits: { maxBytes: maxConfigBytes, maxAliases: 50, maxDepth: 64 },
    policies: (vars) => evaluatePolicies(set, { scenario: 'T1', env: vars.env, vars }),
  });
}

export async function validateMigration(ctx: GateContext, req: MigrationRequest, opts: RecordOptions & { maxConfigBytes: number }): Promise<DecisionReport> {
  return recordDecision(ctx, evaluateMigrationWith(ctx, req, opts.maxConfigBytes), opts);
}
