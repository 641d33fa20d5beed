// The PostgreSQL store as an archive target for the ConfigMap archiver: the
// sealed segment's records go into the same append-only table the
// PostgreSQL sink writes, byte for byte (`line` is the segment's line), and
// are read back and compared before the archiver may delete the segment.
// The writer's checkpoint sealed with the segment goes into the checkpoint
// table beside them, so the archive verifies offline with the public key
// alone (`audit verify --archive-postgres --key PUB`), as a directory does.
import pg from 'pg';
import { parseAuditLine } from '../../core/audit-record.js';
import type { RawAuditEntry } from '../../core/ports/audit.js';
import type { StoredRecord } from '../../core/contracts/audit.js';
import type { Logger } from '../../core/ports/runtime.js';
import type { ArchivedSegment, ArchiveTarget } from '../../core/audit-archive.js';
import {
  describeTarget,
  insertRecords,
  openGuardedPool,
  readAllRecords,
  safeMessage,
} from './pg-audit-sink.js';
import { AUDIT_TABLE } from './pg-schema.js';
import { putSealedCheckpoint, storedCheckpoints } from './pg-checkpoints.js';

export async function postgresArchive(
  url: string,
  logger: Logger,
): Promise<ArchiveTarget & { close(): Promise<void> }> {
  const pool = await openGuardedPool(url, logger);
  return {
    name: `PostgreSQL ${describeTarget(url)}`,
    async put(seg: ArchivedSegment) {
      const lines = seg.text.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
      const records: StoredRecord[] = lines.map((l) => {
        const p = parseAuditLine(l);
        if (!p.ok) throw new Error(`segment ${seg.name}: ${p.problem}`);
        return p.record;
      });
      // Re-runs after a crash find their rows: kept as they are, then compared.
      await insertRecords(pool, records, lines, 'ignore');
      const { rows } = await pool.query<{ line: string }>(
        `SELECT line FROM ${AUDIT_TABLE} WHERE writer = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
        [seg.writer, seg.previous.seq + 1, seg.last.seq],
      );
      if (rows.length !== lines.length || rows.some((r, i) => r.line !== lines[i])) {
        throw new Error(
          `PostgreSQL holds other records for ${seg.writer} seq ${seg.previous.seq + 1}..${seg.last.seq} than segment ${seg.name}; not deleting it`,
        );
      }
      if (seg.checkpoint !== undefined) await putSealedCheckpoint(pool, seg, seg.checkpoint);
    },
    close: () => pool.end(),
  };
}

/**
 * The archive as an auditor reads it (`audit verify --archive-postgres`):
 * every stored record and every stored checkpoint, through a read-only
 * session. No guard check: the auditor's role may well have SELECT only.
 */
export async function openPostgresArchiveReader(url: string): Promise<{
  name: string;
  entries(): AsyncIterable<RawAuditEntry>;
  checkpoints(): Promise<{ location: string; note: string }[]>;
  close(): Promise<void>;
}> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    connectionTimeoutMillis: 10_000,
    application_name: 'migration-gate-verify',
    options: '-c default_transaction_read_only=on',
  });
  const name = `PostgreSQL ${describeTarget(url)}`;
  const read = async <R extends pg.QueryResultRow>(q: { text: string; values: unknown[] }) => {
    try {
      return await pool.query<R>(q.text, q.values);
    } catch (e) {
      throw new Error(`${name}: ${safeMessage(e, url)}`, { cause: e });
    }
  };
  return {
    name,
    entries: () => readAllRecords(read, 5000),
    async checkpoints() {
      try {
        return await storedCheckpoints(pool);
      } catch (e) {
        throw new Error(`${name}: ${safeMessage(e, url)}`, { cause: e });
      }
    },
    close: () => pool.end(),
  };
}
