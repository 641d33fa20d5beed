// The archiver (`migration-gate audit archive`, a CronJob with its own
// ServiceAccount): keeps etcd bounded by moving sealed audit segments out.
// Per writer, oldest first, for every sealed segment except the writer's
// newest (the gate resumes its chain from that one):
//   1. check that the segment continues the chain exactly where the archive
//      ends (the ledger's head, or genesis): a tampered or out-of-order
//      segment is left in place as evidence and the writer stops there;
//   2. put it into every archive target, durably, read back identical;
//   3. advance the ledger (archived up to this segment, this head);
//   4. delete it, only the exact version that was exported.
// A crash anywhere leaves it re-runnable: an exported segment that is still
// live is recognised by the ledger, its archive copy compared, then deleted.
import { verifyChains, type ChainHead } from '../../core/audit-record.js';
import { GENESIS_HASH } from '../../core/contracts/audit.js';
import type { Logger } from '../../core/ports/runtime.js';
import type { ConfigMapDeleter, ConfigMapStore, StoredConfigMap } from '../../core/ports/configmaps.js';
import { parseAuditLine } from '../../core/audit-record.js';
import { recordLeafHash } from '../../core/tlog/audit-leaf.js';
import { advanceLedger, archivedRange, readLedger, type Ledger, type LedgerEntry } from './archive-ledger.js';
import type { ArchivedSegment, ArchiveTarget } from '../../core/audit-archive.js';
import type { CheckpointBoard } from '../../core/ports/checkpoints.js';
import { sealCheckpoints } from './archive-checkpoints.js';
import {
  ALL_SEGMENTS_SELECTOR,
  orderSegments,
  recordsText,
  segmentEntries,
  segmentHead,
  segmentId,
} from './configmap-segments.js';

export interface ArchiveRun {
  archived: string[];
  /** Writers whose next segment could not be archived, and why (the run's exit code says it). */
  problems: { writer: string; segment: string; problem: string }[];
  /** Writers looked at. */
  writers: number;
}

export interface ArchiverOptions {
  store: ConfigMapStore & ConfigMapDeleter;
  targets: readonly ArchiveTarget[];
  clock: () => Date;
  logger: Logger;
  /** The replicas' checkpoint board: each segment's seal checkpoint goes into the archive with it. */
  board?: CheckpointBoard;
}

const GENESIS: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** Sealed segments by writer, oldest first, without each writer's newest. */
function candidates(all: StoredConfigMap[]): Map<string, StoredConfigMap[]> {
  const byWriter = new Map<string, StoredConfigMap[]>();
  for (const cm of orderSegments(all)) {
    const id = segmentId(cm);
    if (!id) continue;
    byWriter.set(id.writer, [...(byWriter.get(id.writer) ?? []), cm]);
  }
  for (const [w, cms] of byWriter)
    byWriter.set(
      w,
      cms.slice(0, -1).filter((cm) => cm.immutable),
    );
  return byWriter;
}

async function describeSegment(
  cm: StoredConfigMap,
  writer: string,
  start: ChainHead,
): Promise<ArchivedSegment | string> {
  const entries = [...segmentEntries(cm)];
  if (entries.length === 0) return 'sealed but empty';
  const v = await verifyChains(entries, new Map([[writer, start]]));
  if (!v.ok) return `does not continue the archived chain: ${v.first_bad!.location}: ${v.first_bad!.problem}`;
  if (v.writers.length !== 1 || v.writers[0]!.writer !== writer) return 'holds records of another writer';
  const last = segmentHead(cm, writer);
  return {
    name: cm.name,
    writer,
    n: segmentId(cm)!.n,
    text: recordsText(cm),
    previous: start,
    last,
    records: entries.length,
  };
}

/** The segment with its seal checkpoint, when the board has one of exactly its last record. */
function withCheckpoint(
  seg: ArchivedSegment | string,
  checkpointOf: (writer: string, size: number) => string | undefined,
): ArchivedSegment | string {
  if (typeof seg === 'string') return seg;
  const checkpoint = checkpointOf(seg.writer, seg.last.seq);
  return checkpoint === undefined ? seg : { ...seg, checkpoint };
}

/**
 * The compact range of the writer's tree once this segment is archived too:
 * the gate resumes the tree from it (its leaves leave the store). A ledger
 * entry from before the ledger kept it cannot be extended; the gate then
 * says that writer's tree cannot continue.
 */
function treeAfter(entry: LedgerEntry | undefined, cm: StoredConfigMap, logger: Logger): { tree?: string[] } {
  const range = archivedRange(entry);
  if (!range) {
    logger.warn(
      'audit archive ledger entry has no tree hashes (written by an older archiver); not extended',
      {
        segment: cm.name,
      },
    );
    return {};
  }
  for (const e of segmentEntries(cm)) {
    const line = parseAuditLine(e.text);
    // describeSegment verified the chain: every line is a record.
    if (line.ok) range.append(recordLeafHash(line.raw));
  }
  const last = segmentHead(cm, segmentId(cm)!.writer).seq;
  if (range.size !== last)
    throw new Error(
      `the tree over the archived records has ${range.size} leaves, but the chain is at seq ${last}`,
    );
  return { tree: range.hashes().map((h) => h.toString('base64')) };
}

export async function archiveSealedSegments(options: ArchiverOptions): Promise<ArchiveRun> {
  const { store, targets, logger } = options;
  if (targets.length === 0) throw new Error('no archive target: give --dir and/or a PostgreSQL URL');
  let ledger: Ledger = await readLedger(store);
  const run: ArchiveRun = { archived: [], problems: [], writers: 0 };
  const listed = await store.list(ALL_SEGMENTS_SELECTOR);
  // Read after the list: a seal the gate signed before its segment was listed is on the board by now.
  const checkpointOf = await sealCheckpoints(options.board, (e) =>
    logger.warn('audit checkpoint board unreadable; archiving without checkpoints', {
      error: e instanceof Error ? e.message : String(e),
    }),
  );
  for (const [writer, cms] of candidates(listed)) {
    for (const cm of cms) {
      const n = segmentId(cm)!.n;
      const entry = ledger.entries.get(writer);
      // Exported by an earlier run that stopped before the delete: it must be the same segment.
      const already = entry !== undefined && n <= entry.segment;
      const start = already
        ? {
            seq: Number(cm.annotations['migrationgate.io/previous-seq'] ?? 0),
            hash: cm.annotations['migrationgate.io/previous-hash'] ?? GENESIS_HASH,
          }
        : (entry ?? GENESIS);
      const seg = withCheckpoint(await describeSegment(cm, writer, start), checkpointOf);
      if (typeof seg === 'string') {
        run.problems.push({ writer, segment: cm.name, problem: seg });
        logger.error('audit segment not archived; left in place', { segment: cm.name, problem: seg });
        break;
      }
      try {
        for (const t of targets) await t.put(seg);
        if (!already)
          ledger = await advanceLedger(store, ledger, writer, {
            segment: n,
            seq: seg.last.seq,
            hash: seg.last.hash,
            archived_at: options.clock().toISOString(),
            ...treeAfter(entry, cm, logger),
          });
        await store.delete(cm.name, cm.resourceVersion);
      } catch (e) {
        const problem = e instanceof Error ? e.message : String(e);
        run.problems.push({ writer, segment: cm.name, problem });
        logger.error('audit segment not archived; left in place', { segment: cm.name, problem });
        break;
      }
      run.archived.push(cm.name);
      logger.info('audit segment archived and deleted', {
        segment: cm.name,
        records: seg.records,
        last_seq: seg.last.seq,
        checkpoint: seg.checkpoint !== undefined,
        targets: targets.map((t) => t.name),
      });
    }
    run.writers += 1;
  }
  return run;
}
