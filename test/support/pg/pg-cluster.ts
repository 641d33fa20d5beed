// A private PostgreSQL 15 cluster for the audit-store tests and benchmarks:
// initdb in a temp dir, listening on 127.0.0.1 (password auth) and on a unix
// socket in the same dir (trust, for the administrator). As root it runs as
// the postgres user (pg-exec.ts), like the replication tests' cluster.
//
// Roles: `mg_owner` owns the audit table (a plain role, as an operator would
// create it), `mg_gate` is what the gate connects as, with a password, so
// tests also see that the URL's password never leaks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { asRoot, freePort, pg as pgBin } from './pg-exec.js';
import { pgAvailable } from './make-backup.js';

export const GATE_ROLE = 'mg_gate';
export const GATE_PASSWORD = 'gate-pw-Zq7-never-logged';
export const OWNER_ROLE = 'mg_owner';

export interface PgCluster {
  root: string;
  port: number;
  socketDir: string;
  /** The superuser over the socket. */
  adminUrl: string;
  /** The table owner (a plain role) over the socket. */
  ownerUrl: string;
  /** The gate's role over TCP with its password. */
  gateUrl: string;
  /** Runs SQL as the superuser; returns rows. */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
    url?: string,
  ): Promise<R[]>;
  stop(): void;
}

export function requirePg(): void {
  if (!pgAvailable())
    throw new Error('PostgreSQL 15 is not installed: apt-get install -y postgresql-15 (as .ci/run does)');
}

export async function startPgCluster(opts: { database?: string; fsync?: boolean } = {}): Promise<PgCluster> {
  requirePg();
  const root = mkdtempSync(join(tmpdir(), 'mg-pgaudit-'));
  const data = join(root, 'data');
  const socketDir = join(root, 'sock');
  mkdirSync(socketDir);
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', root]);
  pgBin('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-N',
    '--no-instructions',
  ]);
  const port = await freePort();
  const settings = [
    `-c port=${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${socketDir}`,
    `-c fsync=${opts.fsync === false ? 'off' : 'on'}`,
    '-c max_connections=200',
  ].join(' ');
  pgBin('pg_ctl', ['-D', data, '-o', settings, '-l', join(root, 'server.log'), '-w', 'start']);
  const db = opts.database ?? 'audit';
  const sockUrl = (user: string) =>
    `postgresql://${user}@/${db}?host=${encodeURIComponent(socketDir)}&port=${port}`;
  const cluster: PgCluster = {
    root,
    port,
    socketDir,
    adminUrl: sockUrl('postgres'),
    ownerUrl: sockUrl(OWNER_ROLE),
    gateUrl: `postgresql://${GATE_ROLE}:${encodeURIComponent(GATE_PASSWORD)}@127.0.0.1:${port}/${db}`,
    async sql(text, values, url) {
      const client = new pg.Client({ connectionString: url ?? cluster.adminUrl });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    stop() {
      try {
        pgBin('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
  const boot = new pg.Client({
    connectionString: `postgresql://postgres@/postgres?host=${encodeURIComponent(socketDir)}&port=${port}`,
  });
  await boot.connect();
  try {
    await boot.query(`CREATE ROLE ${OWNER_ROLE} LOGIN`);
    await boot.query(`CREATE ROLE ${GATE_ROLE} LOGIN PASSWORD '${GATE_PASSWORD}'`);
    await boot.query(`CREATE DATABASE ${db} OWNER ${OWNER_ROLE}`);
  } finally {
    await boot.end();
  }
  // PostgreSQL 15: nobody but the owner may create in schema public any more.
  return cluster;
}
