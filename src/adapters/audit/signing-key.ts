// The audit signing key: an Ed25519 key of its own (never the TLS key), in
// a PEM file. Locally it is generated on first start into the data
// directory (mode 0600), like the API token; in the chart it is a mounted
// Secret, which must exist (a missing Secret is a config error, never a
// silently new key that would start a second history).
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { GateError } from '../../core/errors.js';
import type { AuditSigningKey } from '../../core/ports/checkpoints.js';

export async function loadAuditSigningKey(opts: {
  file?: string;
  dataDir: string;
  name: string;
}): Promise<{ key: AuditSigningKey; generatedPath?: string }> {
  const file = opts.file ?? path.join(opts.dataDir, 'audit-signing.key');
  let pem: string;
  let generatedPath: string | undefined;
  try {
    pem = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || opts.file) {
      throw new GateError('config-invalid', `GATE_AUDIT_SIGNING_KEY_FILE: cannot read ${file}`);
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await fs.writeFile(file, pem, { mode: 0o600, flag: 'wx' });
    generatedPath = file;
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new GateError('config-invalid', `audit signing key ${file} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new GateError('config-invalid', `audit signing key ${file} is not an Ed25519 key`);
  return {
    key: { name: opts.name, privateKey, publicKey: createPublicKey(privateKey) },
    ...(generatedPath ? { generatedPath } : {}),
  };
}
