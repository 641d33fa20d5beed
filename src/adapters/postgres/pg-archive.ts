// The PostgreSQL store as an archive target for the ConfigMap archiver: the
// sealed segment's records go into the same append-only table the
// PostgreSQL sink writes, byte for byte (`line` is the segment's line), and
// are read back and compared before the archiver may delete the segment.
import { parseAuditLine } from '../../core/audit-record.js';
import type { StoredRecord } from '../../core/contracts/audit.js';
import type { Logger } from '../../core/ports/runtime.js';
import type { ArchivedSegment, ArchiveTarget } from '../../core/audit-archive.js';
import { describeTarget, insertRecords, openGuardedPool } from './pg-audit-sink.js';
import { AUDIT_TABLE } from './pg-schema.js';

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
    },
    close: () => pool.end(),
  };
}
