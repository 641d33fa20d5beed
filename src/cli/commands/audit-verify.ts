// `audit verify`: every writer's hash chain, from a local audit file or
// from the server. 0 intact, 1 broken.
import path from 'node:path';
import { verifyChains } from '../../core/audit-record.js';
import { ChainVerificationSchema } from '../../core/contracts/audit.js';
import type { Command, CommandIo, Values } from '../command.js';
import { remoteOf, SERVER_OPTIONS, str } from '../common-options.js';
import { readAuditFile } from '../read-audit-file.js';
import { CliError, EXIT } from '../exit-codes.js';
import { emit, outputFormatOf } from '../output.js';
import { getJson } from '../remote.js';
import { archiveEntries, withLive } from './audit-store.js';
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
    'archive-postgres': {
      type: 'boolean',
      description:
        "the PostgreSQL archive (audit archive into GATE_AUDIT_ARCHIVE_POSTGRES_URL, or the postgres sink's database; URL from that variable, read-only): like --archive, with the checkpoints stored beside the records",
    },
    live: {
      type: 'boolean',
      description:
        'with --archive or --archive-postgres: then the live ConfigMap segments in the cluster, as one chain per writer',
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
    const archived = await archiveSource(values, io);
    try {
      if (archived && str(values.key)) return await verifyArchiveCheckpoints(archived, values, io);
      return await verifyChainsOnly(archived, values, io);
    } finally {
      await archived?.close();
    }
  },
};

/** What --archive DIR or --archive-postgres names: its records (then the live ones with --live) and the checkpoints stored with them. */
interface ArchiveSource {
  name: string;
  entries(): Promise<AsyncIterable<{ location: string; text: string }>>;
  checkpoints(): Promise<{ location: string; note: string }[]>;
  close(): Promise<void>;
}

async function archiveSource(values: Values, io: CommandIo): Promise<ArchiveSource | undefined> {
  const dir = str(values.archive);
  const live = values.live === true;
  if (dir && values['archive-postgres'] === true)
    throw new CliError('give --archive DIR or --archive-postgres, not both', EXIT.usage);
  if (live && !dir && values['archive-postgres'] !== true)
    throw new CliError('--live goes with --archive DIR or --archive-postgres', EXIT.usage);
  if (dir) {
    const root = path.resolve(io.cwd, dir);
    const { archivedCheckpoints } = await import('../../adapters/audit/archive-dir.js');
    return {
      name: `--archive ${root}`,
      entries: () => archiveEntries(root, live, io),
      checkpoints: async () =>
        (
          await archivedCheckpoints(root).catch((e: unknown) => {
            throw new CliError(
              `--archive ${root} cannot be read (${(e as { code?: string }).code ?? String(e)})`,
              EXIT.usage,
            );
          })
        ).map(({ file, note }) => ({ location: file, note })),
      close: async () => undefined,
    };
  }
  if (values['archive-postgres'] !== true) return undefined;
  const url = io.env.GATE_AUDIT_ARCHIVE_POSTGRES_URL;
  if (!url)
    throw new CliError(
      '--archive-postgres reads the archive at GATE_AUDIT_ARCHIVE_POSTGRES_URL (never a URL on the command line: it may hold a password)',
      EXIT.usage,
    );
  const { openPostgresArchiveReader } = await import('../../adapters/postgres/pg-archive.js');
  const reader = await openPostgresArchiveReader(url);
  const unavailable = (e: unknown): never => {
    throw new CliError(e instanceof Error ? e.message : String(e), EXIT.unavailable);
  };
  return {
    name: `--archive-postgres (${reader.name})`,
    entries: () => withLive(unavailableOnError(reader.entries(), unavailable), live, io),
    checkpoints: () => reader.checkpoints().catch(unavailable),
    close: () => reader.close(),
  };
}

/** The store failing mid-read is exit 3 (unreachable or failed), not a usage error. */
async function* unavailableOnError<T>(it: AsyncIterable<T>, fail: (e: unknown) => never): AsyncGenerator<T> {
  try {
    yield* it;
  } catch (e) {
    fail(e);
  }
}

/** Every writer's hash chain: an archive, the server's, or a local file. */
async function verifyChainsOnly(
  archived: ArchiveSource | undefined,
  values: Values,
  io: CommandIo,
): Promise<number> {
  const format = outputFormatOf(values, ['json', 'yaml', 'text']);
  const remote = str(values.file) || archived ? undefined : remoteOf(values, io);
  let result: { ok: boolean };
  if (archived) {
    result = await verifyChains(await archived.entries());
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
    const text = await readAuditFile(file);
    result = await verifyChains(fileEntries(file, text));
  }
  emit(io, format, {
    data: result,
    text: () =>
      `${result.ok ? 'audit chain intact' : 'AUDIT CHAIN BROKEN'}\n${JSON.stringify(result, null, 2)}`,
  });
  return result.ok ? EXIT.ok : EXIT.negative;
}

/** The lines of an audit file, named the way the file sink names them. */
async function* fileEntries(file: string, text: string): AsyncGenerator<{ location: string; text: string }> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) yield { location: `${path.basename(file)}:${i + 1}`, text: line };
}

/**
 * An archive against the checkpoints that travelled with it (a directory's
 * `<writer>/<segment>.checkpoint`, PostgreSQL's checkpoint table; each its
 * writer's signed tree of exactly that segment's last record): offline,
 * with the public key alone. A checkpoint that does not verify, or an
 * archived writer without any, fails.
 */
async function verifyArchiveCheckpoints(
  archived: ArchiveSource,
  values: Values,
  io: CommandIo,
): Promise<number> {
  const key = await readVerifierKey(path.resolve(io.cwd, str(values.key)!));
  const checkpoints = [];
  for (const { location, note } of await archived.checkpoints()) {
    const opened = openCheckpoint(note, key);
    if (!opened.ok) {
      io.err(`migration-gate: archived checkpoint ${location}: ${opened.problem}`);
      return EXIT.negative;
    }
    checkpoints.push(opened.value.checkpoint);
  }
  const result = await verifyLogAgainst(key, checkpoints, await archived.entries());
  const uncovered = result.uncovered_writers;
  const ok = result.ok && checkpoints.length > 0 && uncovered.length === 0;
  io.out(JSON.stringify({ ...result, ok, archived_checkpoints: checkpoints.length }, null, 2));
  if (checkpoints.length === 0)
    io.err(`migration-gate: ${archived.name} carries no signed checkpoint to verify against`);
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
