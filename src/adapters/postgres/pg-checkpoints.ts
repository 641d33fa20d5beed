// Signed checkpoints in PostgreSQL, in the append-only table beside the
// records (pg-schema.ts, CHECKPOINT_TABLE):
//   - the checkpoint board of the PostgreSQL sink: each replica INSERTs its
//     newest checkpoint (`latest`), a board read takes the newest row per
//     writer. Same meaning as the ConfigMap board (one entry per writer, the
//     last one posted), but nothing is ever replaced: a replica that could
//     rewrite another's entry could only hide it, and here it cannot even
//     do that;
//   - the seal checkpoints the archiver stores with the ConfigMap segments
//     it exports here (`sealed`, once per writer and size), which
//     `audit verify --archive-postgres --key PUB` verifies against offline.
import type pg from 'pg';
import { claimedCheckpoint } from '../../core/tlog/checkpoint.js';
import { parseBoardEntry } from '../../core/tlog/board-entry.js';
import type { CheckpointBoard, CheckpointBoardEntry } from '../../core/ports/checkpoints.js';
import { CHECKPOINT_TABLE } from './pg-schema.js';

type Db = Pick<pg.Pool, 'query'>;

/** The tree size a note claims (its signature is checked by whoever trusts it); refuses a note that is no checkpoint. */
function sizeOf(note: string, what: string): number {
  const c = claimedCheckpoint(note);
  if (!c) throw new Error(`${what} is not a signed checkpoint note`);
  return c.size;
}

// The newest `latest` row of every writer: a loose index scan over
// (kind, writer, id DESC), one index probe per writer however many rows
// the board has collected over the years.
const LATEST_PER_WRITER = `
  WITH RECURSIVE w(writer) AS (
    (SELECT writer FROM ${CHECKPOINT_TABLE} WHERE kind = 'latest' ORDER BY writer LIMIT 1)
    UNION ALL
    SELECT (SELECT c.writer FROM ${CHECKPOINT_TABLE} c WHERE c.kind = 'latest' AND c.writer > w.writer ORDER BY c.writer LIMIT 1)
    FROM w WHERE w.writer IS NOT NULL
  )
  SELECT e.entry FROM w CROSS JOIN LATERAL (
    SELECT entry FROM ${CHECKPOINT_TABLE} c WHERE c.kind = 'latest' AND c.writer = w.writer ORDER BY c.id DESC LIMIT 1
  ) e
  WHERE w.writer IS NOT NULL`;

export function postgresCheckpointBoard(db: Db): CheckpointBoard {
  return {
    async put(entry) {
      await db.query(
        `INSERT INTO ${CHECKPOINT_TABLE} (writer, kind, size, note, entry) VALUES ($1, 'latest', $2, $3, $4)`,
        [
          entry.writer,
          sizeOf(entry.note, `the checkpoint of ${entry.writer}`),
          entry.note,
          JSON.stringify(entry),
        ],
      );
    },
    async list() {
      const { rows } = await db.query<{ entry: string }>(LATEST_PER_WRITER);
      // A row of the wrong shape is not shown, as on the ConfigMap board.
      return rows.flatMap((r) => parseBoardEntry(r.entry) ?? []);
    },
  };
}

/**
 * Stores the checkpoint sealed with an archived segment, once: a re-run
 * after a crash finds it; a different note of the same writer and size
 * (another history of that tree) is refused, and the segment stays live.
 */
export async function putSealedCheckpoint(
  db: Db,
  seg: { writer: string; name: string; last: { seq: number } },
  note: string,
): Promise<void> {
  const size = sizeOf(note, `the checkpoint of segment ${seg.name}`);
  if (size !== seg.last.seq)
    throw new Error(`the checkpoint of segment ${seg.name} is of size ${size}, not ${seg.last.seq}`);
  await db.query(
    `INSERT INTO ${CHECKPOINT_TABLE} (writer, kind, size, note, entry) VALUES ($1, 'sealed', $2, $3, $4)
     ON CONFLICT (writer, size) WHERE kind = 'sealed' DO NOTHING`,
    [seg.writer, size, note, JSON.stringify({ segment: seg.name })],
  );
  const { rows } = await db.query<{ note: string }>(
    `SELECT note FROM ${CHECKPOINT_TABLE} WHERE kind = 'sealed' AND writer = $1 AND size = $2`,
    [seg.writer, size],
  );
  if (rows.length !== 1 || rows[0]!.note !== note)
    throw new Error(
      `PostgreSQL holds another checkpoint of ${seg.writer} at size ${size} than segment ${seg.name}'s; not deleting it`,
    );
}

/**
 * What an auditor verifies the stored records against: every seal
 * checkpoint the archiver stored, and each writer's newest board entry
 * (the PostgreSQL sink's own log), named for the report.
 */
export async function storedCheckpoints(db: Db): Promise<{ location: string; note: string }[]> {
  const { rows } = await db.query<{ writer: string; size: string; note: string }>(
    `SELECT writer, size::text AS size, note FROM ${CHECKPOINT_TABLE} c WHERE kind = 'sealed' ORDER BY c.writer, c.size`,
  );
  const sealed = rows.map((r) => ({
    location: `${CHECKPOINT_TABLE} sealed ${r.writer} size ${r.size}`,
    note: r.note,
  }));
  const latest: CheckpointBoardEntry[] = await postgresCheckpointBoard(db).list();
  return [
    ...sealed,
    ...latest.map((e) => ({ location: `${CHECKPOINT_TABLE} latest ${e.writer}`, note: e.note })),
  ];
}
