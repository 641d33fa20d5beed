// What the webhook port's routes need, wired by app.ts.
import type { AdmitSettings } from '../../services/admission/admit.js';
import type { GateContext } from '../../services/gate-context.js';

export interface WebhookDeps {
  gate: GateContext;
  settings: AdmitSettings;
  /** Used when the apiserver sends no `?timeout=`. */
  defaultTimeoutSeconds: number;
}

/** Objects are capped near 1.5 MiB by etcd; an UPDATE review carries two of them plus envelope. */
export const MAX_REVIEW_BYTES = 6 * 1024 * 1024;
