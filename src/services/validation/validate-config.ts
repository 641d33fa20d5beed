// Use case: the config check (T1). Manifest + config in, recorded decision out.
import {
  evaluateConfigCheck,
  T1_SIGNATURE_OPTIONS,
  type EnvBinding,
  type SignatureChecked,
} from '../../core/config-check.js';
import { evaluatePolicies } from '../../core/policy/evaluate.js';
import type { DecisionReport, Evaluation, Subject } from '../../core/contracts/report.js';
import type { GateContext } from '../gate-context.js';
import { recordDecision, type RecordOptions } from '../decision/record-decision.js';
import { policyUnavailable } from '../decision/rejections.js';
import type { CompiledPolicySet } from '../../core/policy/types.js';
import type { ConfigCheckMemoInput } from './config-check-memo.js';
import { verifyManifestSignatureOffLoop } from './signature-off-loop.js';

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
  signatureChecked?: SignatureChecked,
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
      ...(signatureChecked ? { signatureChecked } : {}),
      limits: { maxBytes: maxConfigBytes, maxAliases: 50, maxDepth: 64 },
      ...(req.envBinding ? { envBinding: req.envBinding } : {}),
      policies: (vars) => evaluatePolicies(set, { scenario: 'T1', env: vars.env, vars }),
    });
  if (!ctx.configCheckMemo) return run(subject);
  return ctx.configCheckMemo.evaluate(memoInput(ctx, set, req, maxConfigBytes), subject, () => run({}));
}

/**
 * evaluateConfigWith, with a new signature verified in the thread pool
 * first (services/validation/signature-off-loop.ts), so the event loop
 * serves other admissions meanwhile. The same answer: what the memo knows
 * is answered from it, and a key reload during the wait makes the check
 * verify again inline (core/config-check.ts takes the outcome only for the
 * key set it was computed with).
 */
export async function evaluateConfigOffLoop(
  ctx: GateContext,
  req: ConfigCheckRequest,
  maxConfigBytes: number,
): Promise<Evaluation> {
  const set = ctx.policies.current();
  const { manifest, signature } = req;
  if (!set || !signature || !(manifest instanceof Uint8Array))
    return evaluateConfigWith(ctx, req, maxConfigBytes);
  const known = ctx.configCheckMemo?.remembered(memoInput(ctx, set, req, maxConfigBytes), req.subject ?? {});
  if (known) return known;
  const keys = ctx.keys.keys();
  const outcome = await verifyManifestSignatureOffLoop(manifest, signature, keys, T1_SIGNATURE_OPTIONS);
  return evaluateConfigWith(ctx, req, maxConfigBytes, { manifest, signature, keys, outcome });
}

/** The binding changes the verdict (env-mismatch), so it is part of the key. */
function memoInput(
  ctx: GateContext,
  set: CompiledPolicySet,
  req: ConfigCheckRequest,
  maxConfigBytes: number,
): ConfigCheckMemoInput {
  return {
    manifest: req.manifest,
    config: req.config,
    maxConfigBytes,
    policyDigest: set.digest,
    keyDigest: ctx.keys.digest(),
    ...(req.signature ? { signature: req.signature } : {}),
    ...(req.envBinding ? { envBinding: req.envBinding } : {}),
  };
}

export async function validateConfig(
  ctx: GateContext,
  req: ConfigCheckRequest,
  opts: RecordOptions & { maxConfigBytes: number },
): Promise<DecisionReport> {
  return recordDecision(ctx, await evaluateConfigOffLoop(ctx, req, opts.maxConfigBytes), opts);
}
