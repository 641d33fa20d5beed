// What the UI pages need beyond the REST routes' deps: the token verifier
// (sessions), whether the api port speaks TLS (Secure cookies), and the
// webhook certificate's expiry once the webhook listener has loaded it.
import type { ApiDeps } from '../api-deps.js';
import type { TokenVerifier } from '../auth.js';
import type { BackgroundAuditSummary } from '../../../services/audit/background-audit.js';

export interface UiDeps {
  api: ApiDeps;
  verifier: TokenVerifier;
  tls: boolean;
  /** undefined until the webhook port has a certificate. */
  webhookCertNotAfter: () => Date | undefined;
  /** The background audit's last run, when it is on (status page card). */
  backgroundAudit?: () => BackgroundAuditSummary | undefined;
}
