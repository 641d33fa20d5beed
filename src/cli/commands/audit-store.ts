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
    const dir = str(values.dir);
    const postgresUrl = io.env.GATE_AUDIT_ARCHIVE_POSTGRES_URL;
    if (!dir && !postgresUrl)
      throw new CliError(
        'give --dir DIR and/or GATE_AUDIT_ARCHIVE_POSTGRES_URL: sealed segments are deleted only once they are archived',
        EXIT.usage,
      );
    const { archiveToTargets } = await import('../../wiring/audit-archive.js');
    const { createLogger } = await import('../../adapters/log.js');
    const run = await archiveToTargets({
      ...cluster(io),
      ...(dir ? { dir } : {}),
      ...(postgresUrl ? { postgresUrl } : {}),
      logger: createLogger(process.stderr, 'info', () => new Date()),
    });
    io.out(JSON.stringify(run, null, 2));
    return run.problems.length === 0 ? EXIT.ok : EXIT.negative;
  },
};

/** The archive's lines, then (with live) the live segments in the cluster: one chain per writer from genesis. */
export async function archiveEntries(
  dir: string,
  live: boolean,
  io: CommandIo,
): Promise<AsyncIterable<{ location: string; text: string }>> {
  const wiring = await import('../../wiring/audit-archive.js');
  return wiring.archiveEntries(dir, live ? cluster(io) : undefined);
}

/** `archived`, then (with live) the live ConfigMap segments in the cluster. */
export async function withLive(
  archived: AsyncIterable<{ location: string; text: string }>,
  live: boolean,
  io: CommandIo,
): Promise<AsyncIterable<{ location: string; text: string }>> {
  if (!live) return archived;
  const wiring = await import('../../wiring/audit-archive.js');
  return wiring.withLive(archived, cluster(io));
}

/** Where the cluster and the gate's namespace are, from the environment. */
function cluster(io: CommandIo): { kubeconfig?: string; namespace: string } {
  const kubeconfig = io.env.GATE_KUBECONFIG;
  return { ...(kubeconfig ? { kubeconfig } : {}), namespace: io.env.GATE_NAMESPACE ?? 'migration-gate' };
}
