// ConfigMap admission -> T1. Finds the config and manifest in the object
// (core/admission/configmap-input.ts) and runs the same T1 pipeline as the
// REST API; a ConfigMap without gated content is not judged at all.
import type { AdmissionRequest } from '../../core/admission/admission-review.js';
import { extractConfigMapInput } from '../../core/admission/configmap-input.js';
import type { Evaluation, Subject } from '../../core/contracts/report.js';
import type { EnvBinding } from '../../core/config-check.js';
import type { GateContext } from '../gate-context.js';
import { rejected } from '../decision/rejections.js';
import {
  evaluateConfigOffLoop,
  evaluateConfigWith,
  type ConfigCheckRequest,
} from '../validation/validate-config.js';

export interface ConfigMapSettings {
  gatedKeys: readonly string[];
  maxConfigBytes: number;
}

/**
 * The admission path: `undefined` when nothing is gated in this ConfigMap
 * (it passes untouched); a signature is verified off the event loop.
 */
export async function evaluateConfigMap(
  ctx: GateContext,
  request: AdmissionRequest,
  subject: Subject,
  settings: ConfigMapSettings,
  envBinding?: EnvBinding,
): Promise<Evaluation | undefined> {
  const check = configMapCheck(request.object, subject, settings, envBinding);
  return 'request' in check
    ? evaluateConfigOffLoop(ctx, check.request, settings.maxConfigBytes)
    : check.evaluation;
}

/** The same for a ConfigMap read from the cluster (the background audit), inline. */
export function evaluateConfigMapObject(
  ctx: GateContext,
  object: unknown,
  subject: Subject,
  settings: ConfigMapSettings,
  envBinding?: EnvBinding,
): Evaluation | undefined {
  const check = configMapCheck(object, subject, settings, envBinding);
  return 'request' in check
    ? evaluateConfigWith(ctx, check.request, settings.maxConfigBytes)
    : check.evaluation;
}

/** What a ConfigMap asks of T1: nothing (ungated), a refusal already, or a config check. */
function configMapCheck(
  object: unknown,
  subject: Subject,
  settings: ConfigMapSettings,
  envBinding: EnvBinding | undefined,
): { evaluation: Evaluation | undefined } | { request: ConfigCheckRequest } {
  const input = extractConfigMapInput(object, settings.gatedKeys);
  switch (input.kind) {
    case 'ungated':
      return { evaluation: undefined };
    case 'rejected': {
      const evaluation = rejected('T1', subject, input.rule, input.message, 'parse');
      if (input.path) evaluation.findings[0]!.path = input.path;
      return { evaluation };
    }
    case 'gated':
      return {
        request: {
          manifest: input.manifest,
          config: input.config,
          subject,
          ...(input.signature ? { signature: input.signature } : {}),
          ...(envBinding ? { envBinding } : {}),
        },
      };
  }
}
