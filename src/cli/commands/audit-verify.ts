// `audit verify`: every writer's hash chain, from a local audit file or
// from the server. 0 intact, 1 broken.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { verifyChains } from '../../core/audit-record.js';
import { ChainVerificationSchema } from '../../core/contracts/audit.js';
import type { Command, CommandIo, Values } from '../command.js';
import { remoteOf, SERVER_OPTIONS, str } from '../common-options.js';
import { CliError, EXIT } from '../exit-codes.js';
import { emit, outputFormatOf } from '../output.js';
import { getJson } from '../remote.js';
import { archiveEntries } from './audit-store.js';
import { logEntries, readCheckpoints, readVerifierKey, verifyLogAgainst } from '../audit-tlog.js';
import { openCheckpoint } from '../../core/tlog/checkpoint.js';

export const auditVerifyCommand: Command = {
  words: ['audit', 'verify'],
  summary: "check the audit log's hash chains (a local file, or the server's)",
  options: {
    file: {
      type: 'string',
      valueName: 'FILE',
      completeFiles: true,
      description: 'audit.jsonl to check (default: DIR/audit.jsonl)',
    },
    dir: {
      type: 'string',
      valueName: 'DIR',
      completeFiles: true,
      description: 'data directory (env GATE_DATA_DIR; default ./data)',
    },
    checkpoint: {
      type: 'string',
      valueName: 'FILE',
      completeFiles: true,
      description: 'signed checkpoints kept outside the store: verify the log against them (needs --key)',
    },
    archive: {
      type: 'string',
      valueName: 'DIR',
      completeFiles: true,
      description:
        'archived segments (audit archive --dir): verified from genesis; with --key, also against the signed checkpoints the archive carries',
    },
    live: {
      type: 'boolean',
      description: 'with --archive: then the live ConfigMap segments in the cluster, as one chain per writer',
    },
    key: {
      type: 'string',
      valueName: 'PUB',
      completeFiles: true,
      description: 'the checkpoint verifier key (GET /api/v1/audit/key)',
    },
    ...SERVER_OPTIONS,
  },
  outputs: ['json', 'yaml', 'text'],
  details:
    'exit codes: 0 chain intact, 1 chain broken, 2 usage/unreadable file/credentials refused, 3 server unreachable or failed',
  async run({ values, io }) {
    if (str(values.checkpoint)) return verifyAgainstCheckpoints(values, io);
    if (str(values.archive) && str(values.key)) return verifyArchiveCheckpoints(values, io);
    const format = outputFormatOf(values, ['json', 'yaml', 'text']);
    const remote = str(values.file) || str(values.archive) ? undefined : remoteOf(values, io);
    let result: { ok: boolean };
    const archive = str(values.archive);
    if (archive) {
      result = await verifyChains(
        await archiveEntries(path.resolve(io.cwd, archive), values.live === true, io),
      );
    } else if (remote) {
      const res = await getJson(remote, '/api/v1/audit/verify');
      const parsed = ChainVerificationSchema.safeParse(res.body);
      if (!parsed.success)
        throw new CliError(
          `the server answered HTTP ${res.status} without a chain verification result`,
          EXIT.unavailable,
        );
      result = parsed.data;
    } else {
      const file = path.resolve(
        io.cwd,
        str(values.file) ?? path.join(str(values.dir) ?? io.env.GATE_DATA_DIR ?? 'data', 'audit.jsonl'),
      );
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new CliError(
          `cannot read audit file ${file} (${(e as { code?: string }).code ?? String(e)})`,
          EXIT.usage,
        );
      }
      result = await verifyChains(fileEntries(file, text));
    }
    emit(io, format, {
      data: result,
      text: () =>
        `${result.ok ? 'audit chain intact' : 'AUDIT CHAIN BROKEN'}\n${JSON.stringify(result, null, 2)}`,
    });
    return result.ok ? EXIT.ok : EXIT.negative;
  },
};

/** The lines of an audit file, named the way the file sink names them. */
async function* fileEntries(file: string, text: string): AsyncGenerator<{ location: string; text: string }> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) yield { location: `${path.basename(file)}:${i + 1}`, text: line };
}

/**
 * An archive directory against the checkpoints that travelled with it
 * (`<writer>/<segment>.checkpoint`, each its writer's signed tree of exactly
 * that segment's last record): offline, with the public key alone. A
 * checkpoint that does not verify, or an archived writer without any, fails.
 */
async function verifyArchiveCheckpoints(values: Values, io: CommandIo): Promise<number> {
  const key = await readVerifierKey(path.resolve(io.cwd, str(values.key)!));
  const root = path.resolve(io.cwd, str(values.archive)!);
  const { archivedCheckpoints } = await import('../../adapters/audit/archive-dir.js');
  const found = await archivedCheckpoints(root).catch((e: unknown) => {
    throw new CliError(
      `--archive ${root} cannot be read (${(e as { code?: string }).code ?? String(e)})`,
      EXIT.usage,
    );
  });
  const checkpoints = [];
  for (const { file, note } of found) {
    const opened = openCheckpoint(note, key);
    if (!opened.ok) {
      io.err(`migration-gate: archived checkpoint ${file}: ${opened.problem}`);
      return EXIT.negative;
    }
    checkpoints.push(opened.value.checkpoint);
  }
  const result = await verifyLogAgainst(
    key,
    checkpoints,
    await archiveEntries(root, values.live === true, io),
  );
  const uncovered = result.uncovered_writers;
  const ok = result.ok && checkpoints.length > 0 && uncovered.length === 0;
  io.out(JSON.stringify({ ...result, ok, archived_checkpoints: checkpoints.length }, null, 2));
  if (checkpoints.length === 0)
    io.err(`migration-gate: --archive ${root} carries no signed checkpoint to verify against`);
  else if (uncovered.length > 0)
    io.err(`migration-gate: archived writers without any signed checkpoint: ${uncovered.join(', ')}`);
  if (!result.ok && result.first_bad)
    io.err(`migration-gate: first bad record: ${result.first_bad.location}: ${result.first_bad.problem}`);
  return ok ? EXIT.ok : EXIT.negative;
}

/** The log (a file, a directory, a server's export) against checkpoints kept outside it: truncation, rewrites, forks. */
async function verifyAgainstCheckpoints(values: Values, io: CommandIo): Promise<number> {
  const keyFile = str(values.key);
  if (!keyFile) throw new CliError('--key is required with --checkpoint', EXIT.usage);
  const file = str(values.file);
  const dir = str(values.dir);
  const server = str(values.server);
  if ([file, dir, server].filter(Boolean).length !== 1)
    throw new CliError('give exactly one of --file, --dir, --server with --checkpoint', EXIT.usage);
  const key = await readVerifierKey(path.resolve(io.cwd, keyFile));
  const checkpoints = await readCheckpoints(path.resolve(io.cwd, str(values.checkpoint)!), key);
  const token = str(values.token) ?? io.env.GATE_API_TOKEN;
  const source = file
    ? { file: path.resolve(io.cwd, file) }
    : dir
      ? { dir: path.resolve(io.cwd, dir) }
      : { server: { url: server!, ...(token ? { token } : {}) } };
  const result = await verifyLogAgainst(key, checkpoints, logEntries(source));
  io.out(JSON.stringify(result, null, 2));
  if (!result.ok && result.first_bad)
    io.err(`migration-gate: first bad record: ${result.first_bad.location}: ${result.first_bad.problem}`);
  return result.ok ? EXIT.ok : EXIT.negative;
}
