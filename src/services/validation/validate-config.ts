// Use case: the config check (T1). Manifest + config in, recorded decision out.
import { evaluateConfigCheck, type EnvBinding } from '../../core/config-check.js';
import { evaluatePolicies } from '../../core/policy/evaluate.js';
import type { DecisionReport, Evaluation, Subject } from '../../core/contracts/report.js';
import type { GateContext } from '../gate-context.js';
import { recordDecision, type RecordOptions } from '../decision/record-decision.js';
import { policyUnavailable } from '../decision/rejections.js';

export interface ConfigCheckRequest {
  manifest: Uint8Array | unknown;
  config: Uint8Array;
  /** The manifest's detached signature or DSSE envelope, as sent. */
  signature?: { kind: 'detached' | 'dsse'; bytes: Uint8Array };
  subject?: Subject;
  /** Where the request may be judged (webhook path, API token); see core/config-check.ts. */
  envBinding?: EnvBinding;
}

export function evaluateConfigWith(
  ctx: GateContext,
  req: ConfigCheckRequest,
  maxConfigBytes: number,
): Evaluation {
  const set = ctx.policies.current();
  const subject = req.subject ?? {};
  if (!set) return policyUnavailable('T1', subject);
  const run = (forSubject: Subject): Evaluation =>
    evaluateConfigCheck({
      manifest: req.manifest,
      config: req.config,
      subject: forSubject,
      ...(req.signature ? { signature: req.signature } : {}),
      keys: ctx.keys.keys(),
      limits: { maxBytes: maxConfigBytes, maxAliases: 50, maxDepth: 64 },
      ...(req.envBinding ? { envBinding: req.envBinding } : {}),
      policies: (vars) => evaluatePolicies(set, { scenario: 'T1', env: vars.env, vars }),
    });
  if (!ctx.configCheckMemo) return run(subject);
  // The binding changes the verdict (env-mismatch), so it is part of the key.
  const key = {
    manifest: req.manifest,
    config: req.config,
    maxConfigBytes,
    policyDigest: set.digest,
    keyDigest: ctx.keys.digest(),
    ...(req.signature ? { signature: req.signature } : {}),
    ...(req.envBinding ? { envBinding: req.envBinding } : {}),
  };
  return ctx.configCheckMemo.evaluate(key, subject, () => run({}));
}

export async function validateConfig(
  ctx: GateContext,
  req: ConfigCheckRequest,
  opts: RecordOptions & { maxConfigBytes: number },
): Promise<DecisionReport> {
  return recordDecision(ctx, evaluateConfigWith(ctx, req, opts.maxConfigBytes), opts);
}
