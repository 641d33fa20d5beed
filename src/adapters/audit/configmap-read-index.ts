// The ConfigMap sink's read index: a summary (record count, time range,
// request-id filter; core/audit-index.ts) per run of 256 lines of each
// segment ConfigMap, kept in memory and keyed by name and resourceVersion.
// Every change of a ConfigMap (data or metadata) moves its resourceVersion,
// so a summary is rebuilt only for a segment that changed since the last
// read (in practice: each writer's open segment); sealed segments are
// fetched and parsed once per process.
//
// A read costs what it shows, not the history: it lists the segments with
// metadata only (names, resourceVersions), fetches only the segments whose
// resourceVersion it has no summary for, and then only the segments the
// page or lookup reads (read-audit.ts decides which). Bodies are kept in a
// bounded cache keyed by resourceVersion: a sealed segment is immutable,
// so its cached body stays exactly what the apiserver holds; the open one
// is fetched again whenever the metadata list shows it changed.
//
// Nothing stored is trusted as an index: the summaries are built by this
// process from the records it fetched, never read from annotations (which
// anyone with update rights on the segment may rewrite without breaking the
// records' chain), so a rewritten annotation only moves the
// resourceVersion and the segment is read again as it now is.
// Read side only: the sink's writes do not call it.
import { SegmentSummary, type AuditSegmentInfo } from '../../core/audit-index.js';
import { parseAuditLine } from '../../core/audit-record.js';
import { isAlertRecord } from '../../core/contracts/audit.js';
import type { AuditIndex, RawAuditEntry } from '../../core/ports/audit.js';
import { GateError } from '../../core/errors.js';
import type { ConfigMapStore, StoredConfigMap } from '../../core/ports/configmaps.js';
import { readLedger } from './archive-ledger.js';
import { getIfExists } from './configmap-get.js';
import {
  ALL_SEGMENTS_SELECTOR,
  orderSegments,
  recordsText,
  segmentEntries,
  segmentId,
} from './configmap-segments.js';

/** Counters a test reads to prove a page costs what it shows, not the history. */
export interface ReadIndexStats {
  /** Segments whose lines were parsed to (re)build their summary. */
  summarized: number;
  /** Chunks (runs of up to CHUNK_LINES lines of a segment) whose lines were handed to a page or a lookup. */
  read: number;
  /** Segment bodies fetched from the apiserver (by get or a full list). */
  fetched: number;
}

/** Segment bodies kept, in bytes of records (~36 segments of 900 KiB). */
export const DEFAULT_BODY_CACHE_BYTES = 32 * 1024 * 1024;
/** From this many segments to fetch (a first read, after a restart), one full list beats a get each. */
const BULK_FETCH = 8;

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

/** Segment bodies by name (one version each), least recently used first, within a byte bound. */
class BodyCache {
  readonly #bodies = new Map<string, StoredConfigMap>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(name: string, resourceVersion: string): StoredConfigMap | undefined {
    const cm = this.#bodies.get(name);
    if (!cm || cm.resourceVersion !== resourceVersion) return undefined;
    this.#bodies.delete(name);
    this.#bodies.set(name, cm);
    return cm;
  }

  put(cm: StoredConfigMap): void {
    this.delete(cm.name);
    const size = recordsText(cm).length;
    if (size > this.maxBytes) return;
    this.#bodies.set(cm.name, cm);
    this.#bytes += size;
    for (const [name] of this.#bodies) {
      if (this.#bytes <= this.maxBytes) break;
      this.delete(name);
    }
  }

  delete(name: string): void {
    const old = this.#bodies.get(name);
    if (!old) return;
    this.#bodies.delete(name);
    this.#bytes -= recordsText(old).length;
  }

  names(): string[] {
    return [...this.#bodies.keys()];
  }
}

/** One live segment as a snapshot saw it: the version its summary describes. */
interface Seen {
  name: string;
  resourceVersion: string;
}

/** What one refresh saw: the live segments' chunks in stored order; bodies are fetched when a read needs them. */
class Snapshot implements AuditIndex {
  constructor(
    readonly list: readonly { seg: Seen; chunk: Chunk }[],
    readonly stats: ReadIndexStats,
    /** The body of exactly this version of a segment, from this snapshot's fetches, the cache or a get. */
    readonly body: (seg: Seen) => Promise<StoredConfigMap>,
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
    const entry = this.list[segmentId];
    if (!entry) return;
    this.stats.read += 1;
    // Split once per body (linesOf); only the chunk's lines are handed on.
    yield* linesOf(await this.body(entry.seg)).slice(entry.chunk.from, entry.chunk.to);
  }
}

/** A body's stored lines, split once while the body is held (cached or in a snapshot). */
const split = new WeakMap<StoredConfigMap, RawAuditEntry[]>();
function linesOf(cm: StoredConfigMap): RawAuditEntry[] {
  let lines = split.get(cm);
  if (!lines) {
    lines = [...segmentEntries(cm)];
    split.set(cm, lines);
  }
  return lines;
}

function summarize(cm: StoredConfigMap): Chunk[] {
  const entries = linesOf(cm);
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

export interface ConfigMapReadIndexOptions {
  /** Bytes of segment bodies kept between reads (DEFAULT_BODY_CACHE_BYTES; 0: none). */
  bodyCacheBytes?: number;
}

export class ConfigMapReadIndex {
  readonly #store: ConfigMapStore;
  readonly #cache = new Map<string, Cached>();
  readonly #bodies: BodyCache;
  readonly stats: ReadIndexStats = { summarized: 0, read: 0, fetched: 0 };

  constructor(store: ConfigMapStore, options: ConfigMapReadIndexOptions = {}) {
    this.#store = store;
    this.#bodies = new BodyCache(options.bodyCacheBytes ?? DEFAULT_BODY_CACHE_BYTES);
  }

  /**
   * The live segments now, in the order readRaw() yields them (writer, then
   * number), without those the archiver exported (the ledger names them),
   * each with a summary of its current version.
   */
  async snapshot(): Promise<AuditIndex> {
    const segments = orderSegments(await this.#store.listMeta(ALL_SEGMENTS_SELECTOR));
    // Read after the list, as liveSegmentEntries does: a segment deleted meanwhile is covered by the ledger.
    const archived = (await readLedger(this.#store)).entries;
    const live = segments.filter((cm) => {
      const id = segmentId(cm);
      return !(id && id.n <= (archived.get(id.writer)?.segment ?? 0));
    });
    const stale = live.filter((m) => this.#cache.get(m.name)?.resourceVersion !== m.resourceVersion);
    // This read's bodies (the open segments among them): a page reading them does not fetch them twice.
    const fetched = new Map<string, StoredConfigMap>();
    for (const cm of await this.#fetch(stale.map((m) => m.name))) {
      fetched.set(cm.name, cm);
      this.#bodies.put(cm);
      this.#cache.set(cm.name, { resourceVersion: cm.resourceVersion, chunks: summarize(cm) });
      this.stats.summarized += 1;
    }
    const list = live.flatMap(({ name }) => {
      const cached = this.#cache.get(name);
      // Gone between the metadata list and the fetch (archived): the ledger read next time covers it.
      if (!cached) return [];
      const seg = { name, resourceVersion: cached.resourceVersion };
      return cached.chunks.map((chunk) => ({ seg, chunk }));
    });
    // Deleted (archived) segments leave the caches: they stay the size of what is live.
    const seen = new Set(live.map((m) => m.name));
    for (const name of this.#cache.keys()) if (!seen.has(name)) this.#cache.delete(name);
    for (const name of this.#bodies.names()) if (!seen.has(name)) this.#bodies.delete(name);
    return new Snapshot(list, this.stats, (seg) => this.#body(seg, fetched));
  }

  /** The current bodies of these segments: a get each, or one full list when there are many. */
  async #fetch(names: readonly string[]): Promise<StoredConfigMap[]> {
    if (names.length === 0) return [];
    const want = new Set(names);
    const got =
      names.length >= BULK_FETCH
        ? (await this.#store.list(ALL_SEGMENTS_SELECTOR)).filter((cm) => want.has(cm.name))
        : (await Promise.all(names.map((name) => getIfExists(this.#store, name)))).filter(
            (cm): cm is StoredConfigMap => cm !== undefined,
          );
    this.stats.fetched += got.length;
    return got;
  }

  /**
   * The body of exactly the version a summary was built from. A segment
   * that changed since (rewritten, or the open one appended to) is not the
   * one the summary describes: the read fails (closed) rather than show
   * records the index did not select, and the next read summarizes it anew.
   */
  async #body(seg: Seen, fetched: ReadonlyMap<string, StoredConfigMap>): Promise<StoredConfigMap> {
    const known = fetched.get(seg.name) ?? this.#bodies.get(seg.name, seg.resourceVersion);
    if (known && known.resourceVersion === seg.resourceVersion) return known;
    const [cm] = await this.#fetch([seg.name]);
    if (cm?.resourceVersion !== seg.resourceVersion)
      throw new GateError(
        'audit-unavailable',
        `audit segment ${seg.name} changed while it was read (resourceVersion ${seg.resourceVersion} -> ${cm?.resourceVersion ?? 'deleted'}); retry the read`,
      );
    this.#bodies.put(cm);
    return cm;
  }
}
