#!/usr/bin/env node
// migration-gate CLI:
//   migration-gate serve
//   migration-gate validate migration --manifest F --config F [--signature F | --dsse F] [--server URL --token T] [--json]
//   migration-gate manifest sign --key PRIVATE.pem FILE   (writes FILE.sig)
//   migration-gate validate replication --manifest F (--snapshot F | --backup DIR) [--wal-dir D] [--signature F | --dsse F]
//   migration-gate audit verify [--file F | --server URL --token T] [--json]
// Exit codes: 0 ALLOW / chain intact, 1 BLOCK / chain broken, 2 usage or error.
import { readFile, writeFile } from 'node:fs/promises';
import { createPrivateKey } from 'node:crypto';
import { signDetached } from './core/signing/sign.js';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { DecisionReportSchema, type DecisionReport } from './core/contracts/report.js';
import { verifyChains } from './core/audit-record.js';
import { validateConfig } from './services/validation/validate-config.js';
import { validateReplication } from './services/validation/validate-replication.js';
import { DEFAULT_REPLICATION_LIMITS } from './core/replication/pipeline.js';
import { replicationPartsFromFiles, replicationRequestFromFiles, type ReplicationFileArgs } from './cli/replication-files.js';
import { formatReport } from './cli/format-report.js';
import { localGate } from './cli/local-gate.js';
import { getJson, postMultipart } from './cli/remote.js';

const USAGE = `usage:
  migration-gate serve
  migration-gate validate migration --manifest FILE --config FILE [--signature FILE | --dsse FILE] [--policies DIR] [--server URL --token TOKEN] [--json]
  migration-gate manifest sign --key PRIVATE_KEY.pem FILE   (writes FILE.sig: Ed25519, or ECDSA P-256 low-S)
  migration-gate validate replication --manifest FILE (--snapshot FILE | --backup DIR) [--wal-dir DIR] [--signature FILE | --dsse FILE] [--policies DIR] [--server URL --token TOKEN] [--json]
  migration-gate audit verify [--file FILE] [--server URL --token TOKEN] [--json]
exit codes: 0 ALLOW (or chain intact), 1 BLOCK (or chain broken), 2 usage or error`;

class UsageError extends Error {}

const OPTIONS = {
  manifest: { type: 'string' }, config: { type: 'string' }, policies: { type: 'string' }, server: { type: 'string' },
  token: { type: 'string' }, snapshot: { type: 'string' }, backup: { type: 'string' }, 'wal-dir': { type: 'string' }, signature: { type: 'string' }, dsse: { type: 'string' },
  key: { type: 'string' }, json: { type: 'boolean' }, file: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) return print(USAGE, 0);
  const command = positionals.join(' ');
  if (command === 'serve') {
    await import('./main.js');
    return -1;
  }
  if (command === 'validate migration') return validateMigrationCommand(values);
  if (command === 'validate replication') return validateReplicationCommand(values);
  if (command === 'audit verify') return auditVerifyCommand(values);
  if (positionals[0] === 'manifest' && positionals[1] === 'sign' && positionals.length === 3) return manifestSignCommand(values, positionals[2]!);
  throw new UsageError(`unknown command "${command}"`);
}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function need(values: Values, name: 'manifest' | 'config' | 'snapshot'): string {
  const v = values[name];
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

async function manifestSignCommand(values: Values, file: string): Promise<number> {
  if (!values.key) throw new UsageError('--key is required');
  const pem = await readFile(values.key, 'utf8');
  // Example keys carry a comment line before the PEM block.
  const begin = pem.indexOf('-----BEGIN');
  let key;
  try {
    key = createPrivateKey(begin > 0 ? pem.slice(begin) : pem);
  } catch {
    throw new UsageError(`--key ${values.key} is not a PEM private key`);
  }
  const sig = signDetached(await readFile(file), key);
  await writeFile(`${file}.sig`, sig);
  return print(`wrote ${file}.sig`, 0);
}

/** --signature (detached) or --dsse (envelope), at most one. */
async function readSignatureArg(values: Values): Promise<{ file: string; signature: { kind: 'dsse' | 'detached'; bytes: Buffer } } | undefined> {
  if (values.signature && values.dsse) throw new UsageError('give --signature or --dsse, not both');
  const file = values.signature ?? values.dsse;
  if (!file) return undefined;
  return { file, signature: { kind: values.dsse ? 'dsse' : 'detached', bytes: await readFile(file) } };
}

async function validateMigrationCommand(values: Values): Promise<number> {
  const manifestFile = need(values, 'manifest');
  const configFile = need(values, 'config');
  const [manifest, config, signed] = await Promise.all([readFile(manifestFile), readFile(configFile), readSignatureArg(values)]);
  const signature = signed?.signature;
  const sigParts = signed ? [{ name: signed.signature.kind === 'dsse' ? 'manifest_dsse' : 'manifest_signature', filename: path.basename(signed.file), bytes: signed.signature.bytes }] : [];
  let report: DecisionReport;
  if (values.server) {
    const token = values.token ?? process.env.GATE_API_TOKEN;
    const res = await postMultipart({ server: values.server, ...(token ? { token } : {}) }, '/api/v1/validate/migration', [
      { name: 'migration_manifest', filename: path.basename(manifestFile), bytes: manifest },
      { name: 'app_config', filename: path.basename(configFile), bytes: config },
      ...sigParts,
    ]);
    const parsed = DecisionReportSchema.safeParse(res.body);
    if (!parsed.success) return print(`the server refused the request (HTTP ${res.status}): ${JSON.stringify(res.body)}`, 2, true);
    report = parsed.data;
  } else {
    const policyDir = values.policies ?? process.env.GATE_POLICY_DIR ?? 'policies';
    const gate = await localGate(policyDir, process.env.GATE_KEYS_DIR ?? path.join(policyDir, 'keys'));
    report = await validateConfig(gate, { manifest, config, ...(signature ? { signature } : {}), subject: { source: 'cli' } }, { requestId: gate.ids.next(), source: 'cli', maxConfigBytes: 1024 * 1024, dryRun: true });
  }
  print(values.json ? JSON.stringify(report, null, 2) : formatReport(report), 0);
  return report.decision === 'ALLOW' ? 0 : 1;
}

function replicationFileArgs(values: Values): ReplicationFileArgs {
  if (values.signature && values.dsse) throw new UsageError('give --signature or --dsse, not both');
  if (values.snapshot && values.backup) throw new UsageError('give --snapshot (one archive) or --backup (a pg_basebackup directory), not both');
  if (!values.snapshot && !values.backup) throw new UsageError('--snapshot FILE or --backup DIR is required');
  return {
    manifest: need(values, 'manifest'),
    ...(values.snapshot ? { snapshot: values.snapshot } : { backup: values.backup! }),
    ...(values['wal-dir'] ? { walDir: values['wal-dir'] } : {}),
    ...(values.signature ? { signature: { kind: 'detached' as const, file: values.signature } } : {}),
    ...(values.dsse ? { signature: { kind: 'dsse' as const, file: values.dsse } } : {}),
  };
}

async function validateReplicationCommand(values: Values): Promise<number> {
  const files = replicationFileArgs(values);
  let report: DecisionReport;
  if (values.server) {
    const token = values.token ?? process.env.GATE_API_TOKEN;
    const res = await postMultipart({ server: values.server, ...(token ? { token } : {}) }, '/api/v1/validate/replication', await replicationPartsFromFiles(files));
    const parsed = DecisionReportSchema.safeParse(res.body);
    if (!parsed.success) return print(`the server refused the request (HTTP ${res.status}): ${JSON.stringify(res.body)}`, 2, true);
    report = parsed.data;
  } else {
    const policyDir = values.policies ?? process.env.GATE_POLICY_DIR ?? 'policies';
    const gate = await localGate(policyDir, process.env.GATE_KEYS_DIR ?? path.join(policyDir, 'keys'));
    report = await validateReplication(gate, { ...(await replicationRequestFromFiles(files)), subject: { source: 'cli' } }, {
      requestId: gate.ids.next(), source: 'cli', dryRun: true, limits: DEFAULT_REPLICATION_LIMITS,
    });
  }
  print(values.json ? JSON.stringify(report, null, 2) : formatReport(report), 0);
  return report.decision === 'ALLOW' ? 0 : 1;
}

async function auditVerifyCommand(values: Values): Promise<number> {
  let result: { ok: boolean };
  if (values.server) {
    const token = values.token ?? process.env.GATE_API_TOKEN;
    result = (await getJson({ server: values.server, ...(token ? { token } : {}) }, '/api/v1/audit/verify')).body as { ok: boolean };
  } else {
    const file = values.file ?? path.join(values.dir ?? process.env.GATE_DATA_DIR ?? 'data', 'audit.jsonl');
    result = await verifyChains(fileEntries(file));
  }
  print(JSON.stringify(result, null, 2), 0);
  return result.ok ? 0 : 1;
}

/** The lines of an audit file, named the way the file sink names them. */
async function* fileEntries(file: string): AsyncGenerator<{ location: string; text: string }> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, text] of lines.entries()) yield { location: `${path.basename(file)}:${i + 1}`, text };
}

function print(text: string, code: number, toStderr = false): number {
  (toStderr ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : `${text}\n`);
  return code;
}

run(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exitCode = code; },
  (e: unknown) => {
    const usage = e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`migration-gate: ${e instanceof Error ? e.message : String(e)}\n${usage ? `${USAGE}\n` : ''}`);
    process.exitCode = 2;
  },
);
