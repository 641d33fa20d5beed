// `audit pg-setup` and `audit archive`: the PostgreSQL store's one-time
// set-up (as the table's owner) and the archiver the chart's CronJob runs
// under its own ServiceAccount (issue 16: bounded etcd). URLs come from the
// environment, never argv: a password on a command line is visible to every
// local user.
import type { Command, CommandIo } from '../command.js';
import { str } from '../common-options.js';
import { CliError, EXIT } from '../exit-codes.js';

export const auditPgSetupCommand: Command = {
  words: ['audit', 'pg-setup'],
  summary:
    "create the PostgreSQL audit table, append-only, and grant the gate's role INSERT and SELECT (URL in GATE_AUDIT_POSTGRES_ADMIN_URL)",
  options: {
    'gate-role': { type: 'string', valueName: 'ROLE', description: 'the role the gate connects as' },
  },
  details: 'exit codes: 0 ready, 2 usage or the database refused',
  async run({ values, io }) {
    const url = io.env.GATE_AUDIT_POSTGRES_ADMIN_URL;
    if (!url)
      throw new CliError(
        'GATE_AUDIT_POSTGRES_ADMIN_URL must hold the URL of the role that is to own the audit table',
        EXIT.usage,
      );
    const role = str(values['gate-role']);
    if (!role) throw new CliError('--gate-role is required (the role the gate connects as)', EXIT.usage);
    const { setupPostgresAuditStore } = await import('../../adapters/postgres/pg-setup.js');
    const { target } = await setupPostgresAuditStore({ url, gateRole: role });
    io.out(
      `audit table ready on ${target}: ${role} may INSERT and SELECT; UPDATE, DELETE and TRUNCATE are refused for everyone`,
    );
    return EXIT.ok;
  },
};

export const auditArchiveCommand: Command = {
  words: ['audit', 'archive'],
  summary:
    'export sealed ConfigMap audit segments to --dir and/or GATE_AUDIT_ARCHIVE_POSTGRES_URL, then delete them',
  options: {
    dir: {
      type: 'string',
      valueName: 'DIR',
      completeFiles: true,
      description: 'archive directory (a PVC in the chart)',
    },
  },
  details: 'exit codes: 0 everything archivable archived, 1 a segment had to be left (named), 2 usage',
  async run({ values, io }) {
    const { archiveSealedSegments } = await import('../../adapters/audit/configmap-archiver.js');
    const { directoryArchive } = await import('../../adapters/audit/archive-dir.js');
    const { createLogger } = await import('../../adapters/log.js');
    const logger = createLogger(process.stderr, 'info', () => new Date());
    const targets: import('../../core/audit-archive.js').ArchiveTarget[] = [];
    const closers: (() => Promise<void>)[] = [];
    const dir = str(values.dir);
    if (dir) targets.push(directoryArchive(dir));
    const pgUrl = io.env.GATE_AUDIT_ARCHIVE_POSTGRES_URL;
    try {
      if (pgUrl) {
        const { postgresArchive } = await import('../../adapters/postgres/pg-archive.js');
        const t = await postgresArchive(pgUrl, logger);
        targets.push(t);
        closers.push(() => t.close());
      }
      if (targets.length === 0)
        throw new CliError(
          'give --dir DIR and/or GATE_AUDIT_ARCHIVE_POSTGRES_URL: sealed segments are deleted only once they are archived',
          EXIT.usage,
        );
      const store = (await kubeForCli(io)).archivableConfigMaps(io.env.GATE_NAMESPACE ?? 'migration-gate');
      const { configMapCheckpointBoard } = await import('../../adapters/audit/configmap-checkpoint-board.js');
      const run = await archiveSealedSegments({
        store,
        targets,
        clock: () => new Date(),
        logger,
        // Read-only use: the seal checkpoints go into the archive with their segments.
        board: configMapCheckpointBoard(store),
      });
      io.out(JSON.stringify(run, null, 2));
      return run.problems.length === 0 ? EXIT.ok : EXIT.negative;
    } finally {
      for (const c of closers) await c();
    }
  },
};

/** The archive's lines, then (with live) the live segments' in the cluster: one chain per writer from genesis. */
export async function archiveEntries(
  dir: string,
  live: boolean,
  io: CommandIo,
): Promise<AsyncIterable<{ location: string; text: string }>> {
  const { archivedEntries } = await import('../../adapters/audit/archive-dir.js');
  return withLive(archivedEntries(dir), live, io);
}

/** `archived`, then (with live) the live ConfigMap segments in the cluster. */
export async function withLive(
  archived: AsyncIterable<{ location: string; text: string }>,
  live: boolean,
  io: CommandIo,
): Promise<AsyncIterable<{ location: string; text: string }>> {
  if (!live) return archived;
  const { liveSegmentEntries } = await import('../../adapters/audit/configmap-sink.js');
  const store = (await kubeForCli(io)).configMaps(io.env.GATE_NAMESPACE ?? 'migration-gate');
  return (async function* () {
    yield* archived;
    yield* liveSegmentEntries(store);
  })();
}

async function kubeForCli(io: CommandIo) {
  const { connectKube } = await import('../../adapters/k8s/kube-connection.js');
  const kubeconfig = io.env.GATE_KUBECONFIG;
  return connectKube(
    kubeconfig ? { kubeconfigPath: kubeconfig, requestTimeoutMs: 30_000 } : { requestTimeoutMs: 30_000 },
  );
}
