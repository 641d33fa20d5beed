// The ConfigMap sink's read index: a summary (record count, time range,
// request-id filter; core/audit-index.ts) per run of 256 lines of each
// segment ConfigMap, kept in
// memory and keyed by name and resourceVersion. Every change of a
// ConfigMap moves its resourceVersion, so a summary is rebuilt only for a
// segment that changed since the last read (in practice: each writer's open
// segment); sealed segments are parsed once per process. A page or a lookup
// then parses only the segments it reads (read-audit.ts decides which),
// not every stored line. Read side only: the sink's writes do not call it.
//
// The list still transfers each segment's bytes from the apiserver (the
// port has no metadata-only list); what it saves is the parse, which was
// the O(history) cost of every page.
import { SegmentSummary, type AuditSegmentInfo } from '../../core/audit-index.js';
import { parseAuditLine } from '../../core/audit-record.js';
import { isAlertRecord } from '../../core/contracts/audit.js';
import type { AuditIndex, RawAuditEntry } from '../../core/ports/audit.js';
import type { ConfigMapStore, StoredConfigMap } from '../../core/ports/configmaps.js';
import { readLedger } from './archive-ledger.js';
import { ALL_SEGMENTS_SELECTOR, orderSegments, segmentEntries, segmentId } from './configmap-segments.js';

/** Counters a test reads to prove a page costs what it shows, not the history. */
export interface ReadIndexStats {
  /** Segments whose lines were parsed to (re)build their summary. */
  summarized: number;
  /** Chunks (runs of up to CHUNK_LINES lines of a segment) whose lines were handed to a page or a lookup. */
  read: number;
}

/** Lines per summarized run inside a segment ConfigMap: a ~900 KiB segment holds ~1,500 records, too many to parse for a page. */
export const CHUNK_LINES = 256;

/** One run of up to CHUNK_LINES stored lines of a segment, with its summary. */
interface Chunk {
  from: number;
  to: number;
  summary: SegmentSummary;
}

interface Cached {
  resourceVersion: string;
  chunks: Chunk[];
}

/** What one refresh saw: the live segments' chunks in stored order, with the segments' bytes until the read ends. */
class Snapshot implements AuditIndex {
  readonly #lines = new Map<StoredConfigMap, RawAuditEntry[]>();

  constructor(
    readonly list: readonly { cm: StoredConfigMap; chunk: Chunk }[],
    readonly stats: ReadIndexStats,
  ) {}

  segments(): readonly AuditSegmentInfo[] {
    // The id is the position in this snapshot; the cached summary is shared across snapshots.
    return this.list.map(({ chunk: { summary } }, id) => ({
      id,
      records: summary.records,
      minTime: summary.minTime,
      maxTime: summary.maxTime,
      mayHoldRequest: (r: Parameters<SegmentSummary['mayHoldRequest']>[0]) => summary.mayHoldRequest(r),
    }));
  }

  async *read(segmentId: number): AsyncIterable<RawAuditEntry> {
    const seg = this.list[segmentId];
    if (!seg) return;
    this.stats.read += 1;
    // Split once per segment and snapshot (cheap next to parsing); only the chunk's lines are handed on.
    let lines = this.#lines.get(seg.cm);
    if (!lines) {
      lines = [...segmentEntries(seg.cm)];
      this.#lines.set(seg.cm, lines);
    }
    yield* lines.slice(seg.chunk.from, seg.chunk.to);
  }
}

function summarize(cm: StoredConfigMap): Chunk[] {
  const entries = [...segmentEntries(cm)];
  const chunks: Chunk[] = [];
  for (let from = 0; from < entries.length; from += CHUNK_LINES) {
    const to = Math.min(entries.length, from + CHUNK_LINES);
    // The summary's own id is unused: snapshots number chunks by position.
    const summary = new SegmentSummary(0, to - from);
    for (let i = from; i < to; i++) {
      const line = parseAuditLine(entries[i]!.text);
      // As the scan: unparseable lines and alert transitions are not decisions.
      if (line.ok && !isAlertRecord(line.record)) summary.add(line.record);
    }
    chunks.push({ from, to, summary });
  }
  return chunks;
}

export class ConfigMapReadIndex {
  readonly #store: ConfigMapStore;
  readonly #cache = new Map<string, Cached>();
  readonly stats: ReadIndexStats = { summarized: 0, read: 0 };

  constructor(store: ConfigMapStore) {
    this.#store = store;
  }

  /**
   * The live segments now, in the order readRaw() yields them (writer, then
   * number), without those the archiver exported (the ledger names them),
   * each with a current summary.
   */
  async snapshot(): Promise<AuditIndex> {
    const segments = orderSegments(await this.#store.list(ALL_SEGMENTS_SELECTOR));
    // Read after the list, as liveSegmentEntries does: a segment deleted meanwhile is covered by the ledger.
    const archived = (await readLedger(this.#store)).entries;
    const live = segments.filter((cm) => {
      const id = segmentId(cm);
      return !(id && id.n <= (archived.get(id.writer)?.segment ?? 0));
    });
    const seen = new Set<string>();
    const list = live.flatMap((cm) => {
      seen.add(cm.name);
      let cached = this.#cache.get(cm.name);
      if (!cached || cached.resourceVersion !== cm.resourceVersion) {
        cached = { resourceVersion: cm.resourceVersion, chunks: summarize(cm) };
        this.stats.summarized += 1;
        this.#cache.set(cm.name, cached);
      }
      return cached.chunks.map((chunk) => ({ cm, chunk }));
    });
    // Deleted (archived) segments leave the cache: it stays the size of what is live.
    for (const name of this.#cache.keys()) if (!seen.has(name)) this.#cache.delete(name);
    return new Snapshot(list, this.stats);
  }
}
