// Would the apiserver accept the certificate this replica serves, given the
// caBundle each webhook of the configuration carries? One level only: the
// gate's CAs sign its serving certificates directly (self-managed-plan.ts).
// A webhook whose bundle is empty, unparsable or holds no CA that signed the
// certificate and is valid now makes the answer "no", naming that webhook.
import { X509Certificate } from 'node:crypto';
import type { WebhookCaBundle } from '../../core/ports/self-managed-tls.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** undefined when every bundle trusts `servingPem` at `now`; otherwise why not (first failing webhook, and how many fail). */
export function untrustedReason(
  bundles: readonly WebhookCaBundle[],
  servingPem: string,
  now: Date,
): string | undefined {
  if (bundles.length === 0) return 'the webhook configuration has no webhooks';
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(servingPem);
  } catch {
    return 'the serving certificate does not parse';
  }
  const failing = bundles
    .map((b) => ({ name: b.name, why: bundleProblem(b.pem, leaf, now) }))
    .filter((f): f is { name: string; why: string } => f.why !== undefined);
  const first = failing[0];
  if (!first) return undefined;
  const more = failing.length > 1 ? ` (and ${failing.length - 1} more webhooks)` : '';
  return `webhook ${first.name}: ${first.why}${more}`;
}

function bundleProblem(pem: string, leaf: X509Certificate, now: Date): string | undefined {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) return 'no caBundle yet';
  const t = now.getTime();
  for (const block of blocks) {
    let ca: X509Certificate;
    try {
      ca = new X509Certificate(block);
    } catch {
      continue;
    }
    const valid = Date.parse(ca.validFrom) <= t && t <= Date.parse(ca.validTo);
    if (valid && ca.ca && leaf.checkIssued(ca) && leaf.verify(ca.publicKey)) return undefined;
  }
  return `its caBundle (${blocks.length} certificate${blocks.length === 1 ? '' : 's'}) does not verify the serving certificate`;
}
