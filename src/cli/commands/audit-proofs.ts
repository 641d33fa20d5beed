// `audit prove`, `audit verify-proof` and `witness`: the transparency-log
// side of the audit history (issue 16). A proof file is checked with
// nothing but the gate's verifier key; the witness cosigns only trees
// consistent with the last one it saw.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from '../command.js';
import { SERVER_OPTIONS, str, strs } from '../common-options.js';
import { CliError, EXIT } from '../exit-codes.js';
import { fetchProof, readVerifierKey, verifyProofText } from '../audit-tlog.js';
import { witnessCommand as runWitness } from '../witness-command.js';

export const auditProveCommand: Command = {
  words: ['audit', 'prove'],
  summary: 'write a c2sp.org/tlog-proof@v1 inclusion proof of a decision, from the server',
  args: 'REQUEST_ID',
  options: {
    ...SERVER_OPTIONS,
    out: {
      type: 'string',
      valueName: 'FILE',
      completeFiles: true,
      description: 'where to write the proof (default REQUEST_ID.tlog-proof)',
    },
  },
  details: 'exit codes: 0 written, 2 usage/credentials refused, 3 server unreachable or failed',
  async run({ values, positionals, io }) {
    const requestId = positionals[0];
    if (!requestId || positionals.length !== 1) throw new CliError('give exactly one REQUEST_ID', EXIT.usage);
    const server = str(values.server) ?? io.env.GATE_SERVER;
    if (!server) throw new CliError('--server (or GATE_SERVER) is required', EXIT.usage);
    const out = path.resolve(
      io.cwd,
      str(values.out) ?? `${requestId.replace(/[^A-Za-z0-9._-]/g, '_')}.tlog-proof`,
    );
    await fetchProof(server, str(values.token) ?? io.env.GATE_API_TOKEN, requestId, out);
    io.out(`wrote ${out}`);
    return EXIT.ok;
  },
};

export const auditVerifyProofCommand: Command = {
  words: ['audit', 'verify-proof'],
  summary: 'check an inclusion proof file with nothing but the verifier key',
  args: 'FILE',
  options: {
    key: {
      type: 'string',
      valueName: 'PUB',
      completeFiles: true,
      description: 'the checkpoint verifier key (GET /api/v1/audit/key)',
    },
  },
  details: 'exit codes: 0 proof holds, 1 proof does not hold, 2 usage/unreadable file',
  async run({ values, positionals, io }) {
    const keyFile = str(values.key);
    if (!keyFile) throw new CliError('--key is required', EXIT.usage);
    if (positionals.length !== 1) throw new CliError('give the proof FILE', EXIT.usage);
    const key = await readVerifierKey(path.resolve(io.cwd, keyFile));
    const result = verifyProofText(await readFile(path.resolve(io.cwd, positionals[0]!), 'utf8'), key);
    io.out(JSON.stringify(result, null, 2));
    return result.ok ? EXIT.ok : EXIT.negative;
  },
};

export const witnessCommand: Command = {
  words: ['witness'],
  summary: "run a minimal C2SP tlog-witness for the gate's checkpoints",
  options: {
    'log-key': {
      type: 'string',
      multiple: true,
      valueName: 'PUB',
      completeFiles: true,
      description: "a gate's verifier key (repeatable)",
    },
    'state-dir': {
      type: 'string',
      valueName: 'DIR',
      completeFiles: true,
      description: 'where the witness keeps its key and state (default ./witness-data)',
    },
    port: { type: 'string', valueName: 'N', description: 'port (default 8090)' },
    host: { type: 'string', valueName: 'H', description: 'address (default 127.0.0.1)' },
    name: {
      type: 'string',
      valueName: 'NAME',
      description: "the witness's key name (default migration-gate-witness)",
    },
  },
  async run({ values }) {
    const logKeys = strs(values['log-key']);
    return runWitness({
      'log-key': logKeys,
      ...(str(values['state-dir']) ? { 'state-dir': str(values['state-dir'])! } : {}),
      ...(str(values.port) ? { port: str(values.port)! } : {}),
      ...(str(values.host) ? { host: str(values.host)! } : {}),
      ...(str(values.name) ? { name: str(values.name)! } : {}),
    });
  },
};
