// ConfigMap admission -> T1. Finds the config and manifest in the object
// (core/admission/configmap-input.ts) and runs the same T1 pipeline as the
// REST API; a ConfigMap without gated content is not judged at all.
import type { AdmissionRequest } from '../../core/admission/admission-review.js';
import { extractConfigMapInput } from '../../core/admission/configmap-input.js';
import type { Evaluation, Subject } from '../../core/contracts/report.js';
import type { EnvBinding } from '../../core/config-check.js';
import type { GateContext } from '../gate-context.js';
import { rejected } from '../decision/rejections.js';
import { evaluateConfigWith } from '../validation/validate-config.js';

export interface ConfigMapSettings {
  gatedKeys: readonly string[];
  maxConfigBytes: number;
}

/** `undefined`: nothing gated in this ConfigMap, it passes untouched. */
export function evaluateConfigMap(
  ctx: GateContext,
  request: AdmissionRequest,
  subject: Subject,
  settings: ConfigMapSettings,
  envBinding?: EnvBinding,
): Evaluation | undefined {
  return evaluateConfigMapObject(ctx, request.object, subject, settings, envBinding);
}

/** The same for a ConfigMap read from the cluster (the background audit). */
export function evaluateConfigMapObject(
  ctx: GateContext,
  object: unknown,
  subject: Subject,
  settings: ConfigMapSettings,
  envBinding?: EnvBinding,
): Evaluation | undefined {
  const input = extractConfigMapInput(object, settings.gatedKeys);
  switch (input.kind) {
    case 'ungated':
      return undefined;
    case 'rejected': {
      const evaluation = rejected('T1', subject, input.rule, input.message, 'parse');
      if (input.path) evaluation.findings[0]!.path = input.path;
      return evaluation;
    }
    case 'gated':
      return evaluateConfigWith(
        ctx,
        {
          manifest: input.manifest,
          config: input.config,
          subject,
          ...(input.signature ? { signature: input.signature } : {}),
          ...(envBinding ? { envBinding } : {}),
        },
        settings.maxConfigBytes,
      );
  }
}
