#!/usr/bin/env node
// migration-gate CLI:
//   migration-gate serve
//   migration-gate validate migration --manifest F --config F [--server URL --token T] [--json]
//   migration-gate validate replication --manifest F --snapshot F [--wal-dir D] [--signature F | --dsse F]
//   migration-gate audit verify [--file F | --server URL --token T] [--json]
// Exit codes: 0 ALLOW / chain intact, 1 BLOCK / chain broken, 2 usage or error.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { DecisionReportSchema, type DecisionReport } from './core/contracts/report.js';
import { verifyChains } from './core/audit-record.js';
import { validateMigration } from './services/validate-migration.js';
import { validateReplication } from './services/validate-replication.js';
import { DEFAULT_REPLICATION_LIMITS } from './core/replication/pipeline.js';
import { replicationPartsFromFiles, replicationRequestFromFiles, type ReplicationFileArgs } from './cli/replication-files.js';
import { formatReport } from './cli/format-report.js';
import { localGate } from './cli/local-gate.js';
import { getJson, postMultipart } from './cli/remote.js';

const USAGE = `usage:
  migration-gate serve
  migration-gate validate migration --manifest FILE --config FILE [--policies DIR] [--server URL --token TOKEN] [--json]
  migration-gate validate replication --manifest FILE --snapshot FILE [--wal-dir DIR] [--signature FILE | --dsse FILE] [--policies DIR] [--server URL --token TOKEN] [--json]
  migration-gate audit verify [--file FILE] [--server URL --token TOKEN] [--json]
exit codes: 0 ALLOW (or chain intact), 1 BLOCK (or chain broken), 2 usage or error`;

class UsageError extends Error {}

const OPTIONS = {
  manifest: { type: 'string' }, config: { type: 'string' }, policies: { type: 'string' }, server: { type: 'string' },
  token: { type: 'string' }, snapshot: { type: 'string' }, 'wal-dir': { type: 'string' }, signature: { type: 'string' }, dsse: { type: 'string' },
  json: { type: 'boolean' }, file: { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' },
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
  throw new UsageError(`unknown command "${command}"`);
}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

function need(values: Values, name: 'manifest' | 'config' | 'snapshot'): string {
  const v = values[name];
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

async function validateMigrationCommand(values: Values): Promise<number> {
  const manifestFile = need(values, 'manifest');
  const configFile = need(values, 'config');
  const [manifest, config] = await Promise.all([readFile(manifestFile), readFile(configFile)]);
  let report: DecisionReport;
  if (values.server) {
    const token = values.token ?? process.env.GATE_API_TOKEN;
    const res = await postMultipart({ server: values.server, ...(token ? { token } : {}) }, '/api/v1/validate/migration', [
      { name: 'migration_manifest', filename: path.basename(manifestFile), bytes: manifest },
      { name: 'app_config', filename: path.basename(configFile), bytes: config },
    ]);
    const parsed = DecisionReportSchema.safeParse(res.body);
    if (!parsed.success) return print(`the server refused the request (HTTP ${res.status}): ${JSON.stringify(res.body)}`, 2, true);
    report = parsed.data;
  } else {
    const policyDir = values.policies ?? process.env.GATE_POLICY_DIR ?? 'policies';
    const gate = await localGate(policyDir, path.join(policyDir, 'keys'));
    report = await validateMigration(gate, { manifest, config, subject: { source: 'cli' } }, { requestId: gate.ids.next(), source: 'cli', maxConfigBytes: 1024 * 1024, dryRun: true });
  }
  print(values.json ? JSON.stringify(report, null, 2) : formatReport(report), 0);
  return report.decision === 'ALLOW' ? 0 : 1;
}

async function validateReplicationCommand(values: Values): Promise<number> {
  if (values.signature && values.dsse) throw new UsageError('give --signature or --dsse, not both');
  const files: ReplicationFileArgs = {
    manifest: need(values, 'manifest'), snapshot: need(values, 'snapshot'),
    ...(values['wal-dir'] ? { walDir: values['wal-dir'] } : {}),
    ...(values.signature ? { signature: { kind: 'detached' as const, file: values.signature } } : {}),
    ...(values.dsse ? { signature: { kind: 'dsse' as const, file: values.dsse } } : {}),
  };
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
