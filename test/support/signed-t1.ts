// The example key signs T1 manifests in tests that are not about signing:
// with t1-signature-required (issue 12) an unsigned prod manifest is a BLOCK.
// The gates under test trust examples/keys/trusted (GATE_KEYS_DIR).
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signDetached } from '../../src/core/signing/sign.js';

const PEM = readFileSync('examples/keys/example-ed25519.key.pem', 'utf8');
const KEY = createPrivateKey(PEM.slice(PEM.indexOf('-----BEGIN')));

/** Base64 detached signature over these exact bytes (a string is its UTF-8). */
export function signManifest(manifest: string | Uint8Array): string {
  return signDetached(typeof manifest === 'string' ? Buffer.from(manifest, 'utf8') : manifest, KEY);
}

/** A JSON request body for /api/v1/validate/migration with the manifest as signed text. */
export function signedJsonBody(
  manifest: Record<string, unknown>,
  config: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const text = JSON.stringify(manifest);
  return { manifest: text, config, manifest_signature: signManifest(text), ...extra };
}

/** An example dir as a JSON body: signed examples (a .sig beside the manifest) send the manifest as its exact text with the signature. */
export function exampleJsonBody(dir: string): Record<string, unknown> {
  const text = readFileSync(`examples/${dir}/migration_manifest.json`, 'utf8');
  const config = readFileSync(`examples/${dir}/app-config.yaml`, 'utf8');
  let sig: string | undefined;
  try {
    sig = readFileSync(`examples/${dir}/migration_manifest.json.sig`, 'utf8');
  } catch {
    sig = undefined;
  }
  return sig === undefined
    ? { manifest: JSON.parse(text) as unknown, config }
    : { manifest: text, config, manifest_signature: sig };
}
