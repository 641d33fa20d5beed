// Where a ConfigMap keeps the T1 inputs. The config is one of the gated keys
// (in `data`, or base64 in `binaryData`); the manifest is the annotation
// `migrationgate.io/manifest` (JSON) or the key `migration_manifest.json`.
//
// Decisions, all fail-closed:
// - neither a gated key nor a manifest: not the gate's business (passes).
// - more than one gated key: BLOCK (`config-ambiguous`). The manifest signs
//   off exactly one config digest, so a second config could only be
//   unverified; validating "each" would let an unsigned one ride along.
// - more than one manifest source: BLOCK (`manifest-ambiguous`): two sources
//   of truth, and the one the workload reads might not be the checked one.
// - a manifest without a gated key: BLOCK (`config-missing`): most likely a
//   renamed key dodging the gate.
// - a gated key without a manifest: BLOCK (`manifest-missing`).
// - the manifest's signature (issue 12): the annotation
//   `migrationgate.io/manifest-signature` (detached, base64, over the exact
//   bytes of the manifest as stored: the UTF-8 of the annotation or `data`
//   string, or the decoded `binaryData`) or `migrationgate.io/manifest-dsse`
//   (a DSSE envelope whose payload is those same bytes). Both at once: BLOCK
//   (`signature-ambiguous`): two signatures, and which one counts would be
//   ours to pick. Whether a signature is required is a policy.
import type { ConfigMapObject } from './configmap-object.js';
import { ConfigMapObjectSchema } from './configmap-object.js';

export const MANIFEST_ANNOTATION = 'migrationgate.io/manifest';
export const MANIFEST_DATA_KEY = 'migration_manifest.json';
export const SIGNATURE_ANNOTATION = 'migrationgate.io/manifest-signature';
export const DSSE_ANNOTATION = 'migrationgate.io/manifest-dsse';

export interface ConfigMapSignature {
  kind: 'detached' | 'dsse';
  bytes: Uint8Array;
}

export type ConfigMapInput =
  | { kind: 'ungated' }
  | {
      kind: 'gated';
      configKey: string;
      config: Uint8Array;
      manifest: Uint8Array;
      manifestFrom: string;
      signature?: ConfigMapSignature;
    }
  | { kind: 'rejected'; rule: string; message: string; path?: string };

interface Located {
  where: string;
  value: string;
  base64: boolean;
}

const reject = (rule: string, message: string, path?: string): ConfigMapInput => ({
  kind: 'rejected',
  rule,
  message,
  ...(path ? { path } : {}),
});

export function extractConfigMapInput(object: unknown, gatedKeys: readonly string[]): ConfigMapInput {
  const parsed = ConfigMapObjectSchema.safeParse(object);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return reject(
      'configmap-invalid',
      `the ConfigMap object is not readable: ${i?.path.join('.') || '(root)'}: ${i?.message ?? 'invalid'}`,
    );
  }
  const cm = parsed.data;
  const configs = gatedKeys.flatMap((k) => locate(cm, k));
  const manifests = manifestSources(cm);
  if (configs.length === 0 && manifests.length === 0) return { kind: 'ungated' };
  if (configs.length > 1) {
    return reject(
      'config-ambiguous',
      `the ConfigMap carries more than one gated config (${configs.map((c) => c.where).join(', ')}); a manifest signs off exactly one: keep one key`,
    );
  }
  if (manifests.length > 1) {
    return reject(
      'manifest-ambiguous',
      `the ConfigMap carries the manifest more than once (${manifests.map((m) => m.where).join(', ')}); keep exactly one`,
    );
  }
  const config = configs[0];
  const manifest = manifests[0];
  if (!config) {
    return reject(
      'config-missing',
      `the ConfigMap carries a migration manifest (${manifest?.where ?? ''}) but none of the gated keys (${gatedKeys.join(', ')}); the config must be under one of them`,
    );
  }
  if (!manifest) {
    return reject(
      'manifest-missing',
      `${config.where} needs its signed-off migration manifest: add the annotation ${MANIFEST_ANNOTATION} (JSON) or the data key ${MANIFEST_DATA_KEY}`,
      config.where,
    );
  }
  return decoded(config, manifest, signatureOf(cm.metadata.annotations ?? {}));
}

/** Annotation values are strings: the signature is their UTF-8 bytes, as the REST API takes a string field. */
function signatureOf(annotations: Record<string, string>): ConfigMapSignature | 'ambiguous' | undefined {
  const detached = annotations[SIGNATURE_ANNOTATION];
  const dsse = annotations[DSSE_ANNOTATION];
  if (detached !== undefined && dsse !== undefined) return 'ambiguous';
  if (detached !== undefined) return { kind: 'detached', bytes: Buffer.from(detached, 'utf8') };
  if (dsse !== undefined) return { kind: 'dsse', bytes: Buffer.from(dsse, 'utf8') };
  return undefined;
}

function decoded(
  config: Located,
  manifest: Located,
  signature: ConfigMapSignature | 'ambiguous' | undefined,
): ConfigMapInput {
  if (signature === 'ambiguous') {
    return reject(
      'signature-ambiguous',
      `the ConfigMap carries two manifest signatures (metadata.annotations.${SIGNATURE_ANNOTATION} and metadata.annotations.${DSSE_ANNOTATION}); keep exactly one`,
    );
  }
  const configBytes = bytesOf(config);
  if (!configBytes) return reject('configmap-invalid', `${config.where} is not valid base64`, config.where);
  const manifestBytes = bytesOf(manifest);
  if (!manifestBytes)
    return reject('configmap-invalid', `${manifest.where} is not valid base64`, manifest.where);
  return {
    kind: 'gated',
    configKey: config.where,
    config: configBytes,
    manifest: manifestBytes,
    manifestFrom: manifest.where,
    ...(signature ? { signature } : {}),
  };
}

function locate(cm: ConfigMapObject, key: string): Located[] {
  const found: Located[] = [];
  const text = cm.data?.[key];
  if (text !== undefined) found.push({ where: `data.${key}`, value: text, base64: false });
  const bin = cm.binaryData?.[key];
  if (bin !== undefined) found.push({ where: `binaryData.${key}`, value: bin, base64: true });
  return found;
}

function manifestSources(cm: ConfigMapObject): Located[] {
  const annotation = cm.metadata.annotations?.[MANIFEST_ANNOTATION];
  const fromAnnotation: Located[] =
    annotation === undefined
      ? []
      : [{ where: `metadata.annotations.${MANIFEST_ANNOTATION}`, value: annotation, base64: false }];
  return [...fromAnnotation, ...locate(cm, MANIFEST_DATA_KEY)];
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The exact bytes: UTF-8 of a `data` string, or the decoded `binaryData`. */
function bytesOf(l: Located): Uint8Array | undefined {
  if (!l.base64) return Buffer.from(l.value, 'utf8');
  return BASE64.test(l.value) ? Buffer.from(l.value, 'base64') : undefined;
}
