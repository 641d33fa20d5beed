// `migration-gate witness`: a minimal C2SP tlog-witness for the gate's
// checkpoints (adapters/witness). Its own Ed25519 key is generated into
// the state directory on first start; its verifier key is printed, so the
// gate (GATE_AUDIT_WITNESS_KEY) and auditors can check its cosignatures.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startWitness } from '../adapters/witness/witness-server.js';
import { encodeVerifierKey, SIG_TYPE_COSIGNATURE, verifierFor } from '../core/tlog/signed-note.js';
import { readVerifierKey } from './audit-tlog.js';

export async function witnessCommand(values: {
  'log-key'?: string[];
  'state-dir'?: string;
  port?: string;
  host?: string;
  name?: string;
}): Promise<number> {
  const logKeyFiles = values['log-key'] ?? [];
  if (logKeyFiles.length === 0)
    throw new Error("--log-key is required (the gate's verifier key, as GET /api/v1/audit/key serves it)");
  const logKeys = await Promise.all(logKeyFiles.map(readVerifierKey));
  const dir = values['state-dir'] ?? 'witness-data';
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dir, 'witness.key');
  let pem: string;
  try {
    pem = await readFile(keyFile, 'utf8');
  } catch {
    pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await writeFile(keyFile, pem, { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const name = values.name ?? 'migration-gate-witness';
  const vkey = encodeVerifierKey(verifierFor(name, publicKey, SIG_TYPE_COSIGNATURE));
  await writeFile(path.join(dir, 'witness.vkey'), `${vkey}\n`);
  const log = (msg: string, fields: Record<string, unknown>): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);
  };
  const w = await startWitness(
    {
      name,
      privateKey,
      publicKey,
      logKeys,
      stateFile: path.join(dir, 'state.json'),
      now: () => new Date(),
      log,
    },
    Number(values.port ?? 8090),
    values.host ?? '127.0.0.1',
  );
  log('witness listening', { port: w.port, verifier_key: vkey, logs: logKeys.map((k) => k.name) });
  process.stdout.write(
    `witness listening on ${values.host ?? '127.0.0.1'}:${w.port}\nverifier key: ${vkey}\n`,
  );
  const stop = (): void => void w.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return -1;
}
