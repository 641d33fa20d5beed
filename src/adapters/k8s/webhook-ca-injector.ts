// Puts the CA bundle into every webhook of the gate's own
// ValidatingWebhookConfiguration, and reads back what each trusts (every
// replica's readiness, webhook-trust-check.ts). RBAC allows get + patch on
// that one name, so: get (how many webhooks, what they trust now), then a
// JSON patch whose `test` ops on each webhook's name make it fail, rather
// than patch the wrong entries, if someone reordered the list in between.
import {
  AdmissionregistrationV1Api,
  PatchStrategy,
  setHeaderOptions,
  type ConfigurationOptions,
  type V1ValidatingWebhook,
} from '@kubernetes/client-node';
import type { WebhookCaPatcher } from '../../core/ports/self-managed-tls.js';
import { kubeCall } from './client-node-errors.js';

export function clientNodeWebhookCaPatcher(
  api: AdmissionregistrationV1Api,
  name: string,
  options: () => ConfigurationOptions,
): WebhookCaPatcher {
  const webhooks = async (): Promise<V1ValidatingWebhook[]> =>
    (
      await kubeCall(`get validatingwebhookconfiguration ${name}`, () =>
        api.readValidatingWebhookConfiguration({ name }, options()),
      )
    ).webhooks ?? [];
  return {
    async ensureCaBundle(bundlePem) {
      const want = Buffer.from(bundlePem, 'utf8').toString('base64');
      const current = await webhooks();
      // client-node hands caBundle (a []byte) back as the base64 text.
      const stale = current
        .map((w, i) => ({ i, have: w.clientConfig.caBundle ?? '' }))
        .filter((w) => w.have !== want);
      if (stale.length === 0) return false;
      const ops = stale.flatMap((w) => [
        { op: 'test', path: `/webhooks/${w.i}/name`, value: current[w.i]!.name },
        { op: 'add', path: `/webhooks/${w.i}/clientConfig/caBundle`, value: want },
      ]);
      await kubeCall(`patch validatingwebhookconfiguration ${name}`, () =>
        api.patchValidatingWebhookConfiguration(
          { name, body: ops },
          setHeaderOptions('Content-Type', PatchStrategy.JsonPatch, options()),
        ),
      );
      return true;
    },
    async caBundles() {
      return (await webhooks()).map((w) => ({
        name: w.name,
        pem: Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8'),
      }));
    },
  };
}
