// Creates (or repairs) the audit table, its indexes, its append-only
// triggers and the gate role's grants, in one transaction. Run by an
// administrator connected as the role that is to own the table
// (`migration-gate audit pg-setup`), never by the gate itself: a role that
// owns the table could drop its guards.
import pg from 'pg';
import { describeTarget } from './pg-audit-sink.js';
import { setupStatements } from './pg-schema.js';

export async function setupPostgresAuditStore(options: {
  url: string;
  gateRole: string;
}): Promise<{ target: string }> {
  const statements = setupStatements(options.gateRole);
  const client = new pg.Client({
    connectionString: options.url,
    connectionTimeoutMillis: 10_000,
    application_name: 'migration-gate-setup',
  });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const s of statements) await client.query(s);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
  return { target: describeTarget(options.url) };
}
