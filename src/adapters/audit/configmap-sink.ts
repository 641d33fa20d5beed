// Audit log in ConfigMaps, for running in a cluster (docs/architecture.md,
// "Audit log"). Each writer (pod) appends to its own chain of
// segments `migration-gate-audit-<writer>-<000001>`; records are JSON lines
// in data["records.jsonl"].
//
// Durability: a batch is acknowledged only after the apiserver answered 200
// to the update (or 201 to the create) that holds it. Every update carries
// the resourceVersion it was based on, so a write can never silently
// overwrite another. When a write fails without a verdict (timeout, reset,
// 5xx) or with 409, the sink re-reads the segment and compares its chain
// head with the batch's hashes: the write either landed (adopt it, never
// write it twice) or did not (retry). If even the re-read fails the sink
// marks itself stale and re-reads before its next write, so the next batch
// never chains from a head the store has moved past.
//
// RBAC: get/list/create/update on ConfigMaps in the gate's namespace; no
// delete or patch is ever needed (append-only by construction).
import { chainBatch, GENESIS_HEAD, type AuditableReport, type ChainHead } from '../../core/audit-record.js';
import type { AuditRecord } from '../../core/contracts/audit.js';
import type { DecisionReport } from '../../core/contracts/report.js';
import { describeError, GateError } from '../../core/errors.js';
import { assertAuditWriter } from '../../core/audit-writer.js';
import type { AuditIndex, AuditSink, ChainStart, RawAuditEntry, SinkHealth } from '../../core/ports/audit.js';
import type { Logger } from '../../core/ports/runtime.js';
import type { ConfigMapStore, StoredConfigMap } from '../../core/ports/configmaps.js';
import { isKubeError } from '../../core/ports/kube-errors.js';
import {
  ALL_SEGMENTS_SELECTOR,
  DEFAULT_SEGMENT_MAX_BYTES,
  orderSegments,
  PREVIOUS_HASH_ANNOTATION,
  PREVIOUS_SEGMENT_ANNOTATION,
  PREVIOUS_SEQ_ANNOTATION,
  RECORDS_KEY,
  recordsText,
  segmentEntries,
  segmentHead,
  segmentId,
  segmentLabels,
  segmentName,
  writerSelector,
} from './configmap-segments.js';
import type { FlushInfo } from './group-commit.js';
import { ledgerStarts, readLedger } from './archive-ledger.js';
import { ReportQueue } from './report-queue.js';
import { ConfigMapReadIndex } from './configmap-read-index.js';
import { getIfExists } from './configmap-get.js';

export interface ConfigMapAuditSinkOptions {
  store: ConfigMapStore;
  writer: string;
  /** Seal a segment before its records would exceed this (bytes). Tests use a few KiB. */
  segmentMaxBytes?: number;
  /** Tries per write step on 409 / unknown outcome before the batch fails. */
  maxAttempts?: number;
  /** First retry delay (ms); doubles per try, with full jitter. */
  retryBaseMs?: number;
  /** While unhealthy, how often to check whether the apiserver is back (ms). */
  probeIntervalMs?: number;
  lingerMs?: number;
  maxPending?: number;
  maxBatch?: number;
  logger?: Logger;
  onFlush?(info: FlushInfo): void;
  /** Called once a segment is sealed, with the seq of its last record: a checkpoint covering it is signed. */
  onSealed?(seq: number): void;
  /**
   * Live segments this writer may keep in etcd (0: no cap). At the cap the
   * next segment is not created and the batch fails (closed): etcd stays
   * bounded, and the archiver (`migration-gate audit archive`) makes room.
   */
  maxLiveSegments?: number;
  /** Told the live segment count after every change of it (alerts, metrics). Must not throw. */
  onSegments?(state: SegmentState): void;
  /** For tests: a deterministic source of jitter in [0, 1). */
  random?: () => number;
  /** For tests: the read index, to read its counters. */
  readIndex?: ConfigMapReadIndex;
}

export interface SegmentState {
  writer: string;
  live: number;
  /** 0: no cap. */
  cap: number;
  /** The count from which the alert is raised, before the cap is reached. */
  warnAt: number;
}

/** The alert comes at 80 % of the cap: room for the archiver's next run. */
export function segmentWarnAt(cap: number): number {
  return cap <= 0 ? 0 : Math.max(1, Math.floor(cap * 0.8));
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * What the next write of a batch does. An append whose segment will not take
 * the next record seals it in the same write (`seal`), so no write on the
 * admission path rewrites a whole segment only to make it immutable.
 */
type Step =
  { kind: 'append'; take: number; seal: boolean } | { kind: 'create'; take: number } | { kind: 'seal' };

class ConfigMapAuditSink implements AuditSink {
  readonly kind = 'configmap';
  readonly #store: ConfigMapStore;
  readonly #writer: string;
  readonly #max: number;
  readonly #maxAttempts: number;
  readonly #retryBaseMs: number;
  readonly #probeIntervalMs: number;
  readonly #random: () => number;
  readonly #logger: Logger;
  readonly #queue: ReportQueue;
  readonly #onSealed: ((seq: number) => void) | undefined;
  /** Read side only (pages, lookups): configmap-read-index.ts. */
  readonly #readIndex: ConfigMapReadIndex;
  /** This writer's newest segment, as last read or written; undefined before the first. */
  #current: StoredConfigMap | undefined;
  #number = 0;
  /** The oldest of this writer's segments believed live (0: none); older ones were archived. */
  #oldest = 0;
  readonly #cap: number;
  readonly #onSegments: (state: SegmentState) => void;
  #bytes = 0;
  #head: ChainHead = GENESIS_HEAD;
  /** The store may hold more than #current says (a write with unknown outcome): re-read first. */
  #stale = false;
  /** False until the newest segment was found by listing (the start may find the apiserver down). */
  #resumed = false;
  #lastError: string | undefined;
  #probe: ReturnType<typeof setInterval> | undefined;
  /** Flushes and probes both move the state above: one at a time. */
  #lock: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(options: ConfigMapAuditSinkOptions) {
    this.#store = options.store;
    this.#writer = options.writer;
    this.#max = options.segmentMaxBytes ?? DEFAULT_SEGMENT_MAX_BYTES;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#retryBaseMs = options.retryBaseMs ?? 25;
    this.#probeIntervalMs = options.probeIntervalMs ?? 5000;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? silent;
    this.#onSealed = options.onSealed;
    this.#readIndex = options.readIndex ?? new ConfigMapReadIndex(options.store);
    this.#cap = Math.max(0, options.maxLiveSegments ?? 0);
    this.#onSegments = options.onSegments ?? (() => {});
    this.#queue = new ReportQueue((reports) => this.#exclusive(() => this.#flush(reports)), options);
  }

  /** Finds this writer's newest segment and resumes its chain there. */
  async resume(): Promise<void> {
    const mine = (await this.#store.list(writerSelector(this.#writer)))
      .map((cm) => ({ cm, id: segmentId(cm) }))
      .filter(
        (x) =>
          x.id !== undefined &&
          x.id.writer === this.#writer &&
          x.cm.name === segmentName(this.#writer, x.id.n),
      );
    const newest = mine.reduce<(typeof mine)[number] | undefined>(
      (a, b) => (a === undefined || b.id!.n > a.id!.n ? b : a),
      undefined,
    );
    if (newest) this.#adopt(newest.cm, newest.id!.n);
    else {
      this.#current = undefined;
      this.#number = 0;
      this.#bytes = 0;
      this.#head = GENESIS_HEAD;
    }
    this.#oldest = mine.reduce((a, b) => (a === 0 || b.id!.n < a ? b.id!.n : a), 0);
    this.#stale = false;
    this.#resumed = true;
    this.#reportSegments();
  }

  /** This writer's live segments, as far as this sink knows (the archiver only ever removes the oldest). */
  #live(): number {
    return this.#number === 0 ? 0 : this.#number - Math.max(1, this.#oldest) + 1;
  }

  #reportSegments(): void {
    try {
      this.#onSegments({
        writer: this.#writer,
        live: this.#live(),
        cap: this.#cap,
        warnAt: segmentWarnAt(this.#cap),
      });
    } catch {
      // An alert hook must not break the commit path.
    }
  }

  /**
   * Near the cap, learns which of the oldest segments the archiver removed
   * since: one get per segment it still believes live, from the oldest,
   * until one exists. Only run near the cap, so a working archiver costs
   * the write path nothing.
   */
  async #recount(): Promise<void> {
    let oldest = Math.max(1, this.#oldest);
    while (
      oldest < this.#number &&
      (await this.#getIfExists(segmentName(this.#writer, oldest))) === undefined
    )
      oldest += 1;
    if (oldest !== this.#oldest) {
      this.#oldest = oldest;
      this.#reportSegments();
    }
  }

  /** Refuses a new segment at the cap (after a recount). */
  async #roomForSegment(): Promise<void> {
    if (this.#cap === 0 || this.#live() + 1 < segmentWarnAt(this.#cap)) return;
    await this.#recount();
    if (this.#live() + 1 > this.#cap) {
      this.#reportSegments();
      throw new GateError(
        'audit-unavailable',
        `audit writer ${this.#writer} has ${this.#live()} live segments, its cap (GATE_AUDIT_MAX_SEGMENTS=${this.#cap}); ` +
          'the archiver (migration-gate audit archive) must export and delete sealed segments before more decisions can be recorded',
      );
    }
  }

  /** The start found no apiserver: list before the first write, and report unhealthy until then. */
  markUnreachable(reason: string): void {
    this.#resumed = false;
    this.#unhealthy(reason);
  }

  /** Brings the state up to the store before a write, if a failure left it in doubt. */
  async #sync(): Promise<void> {
    if (!this.#resumed) await this.resume();
    else if (this.#stale) await this.#refresh();
  }

  append(report: DecisionReport): Promise<AuditRecord> {
    return this.#queue.append(report);
  }

  async #flush(reports: AuditableReport[]): Promise<AuditRecord[]> {
    try {
      await this.#sync();
      const { records } = chainBatch(reports, this.#writer, this.#head);
      await this.#writeAll(records);
      this.#healthy();
      return records;
    } catch (e) {
      this.#unhealthy(describeError(e));
      throw new GateError(
        'audit-unavailable',
        `audit ConfigMap write failed: ${describeError(e)}`,
        undefined,
        { cause: e },
      );
    }
  }

  /**
   * Writes the chained records, as few writes as the segment size allows.
   * The head advances after every durable write, so a batch that fails
   * half-way leaves the sink exactly where the store is.
   */
  async #writeAll(records: AuditRecord[]): Promise<void> {
    const lines = records.map((r) => `${JSON.stringify(r)}\n`);
    let done = 0;
    let failures = 0;
    while (done < lines.length) {
      const step = this.#plan(lines, done);
      const before = this.#head;
      try {
        await this.#apply(step, lines, done);
        if (step.kind !== 'seal') done += step.take;
      } catch (e) {
        // 403/422/...: the apiserver refused, nothing was applied, our state is right.
        // 404: our segment is gone (an operator?): find out what is left before the next write.
        if (isKubeError(e, 'not-found')) this.#stale = true;
        if (!isKubeError(e, 'conflict') && !isKubeError(e, 'unavailable')) throw e;
        try {
          await this.#refresh();
        } catch {
          this.#stale = true;
          throw e;
        }
        done += this.#landed(records, done, before);
        if (++failures >= this.#maxAttempts) throw e;
        if (done < lines.length) await sleep(this.#random() * this.#retryBaseMs * 2 ** (failures - 1));
      }
    }
  }

  /**
   * After a re-read: how many of records[from..] the store already holds.
   * A write is atomic, so that is all of the step or none of it; anything
   * else means someone else wrote this writer's segments.
   */
  #landed(records: AuditRecord[], from: number, before: ChainHead): number {
    if (this.#head.seq === before.seq && this.#head.hash === before.hash) return 0;
    const k = this.#head.seq - before.seq;
    if (k > 0 && from + k <= records.length && records[from + k - 1]!.hash === this.#head.hash) {
      this.#logger.info('audit ConfigMap write landed although its answer was lost; not writing it again', {
        segment: this.#current?.name,
        records: k,
      });
      return k;
    }
    throw new GateError(
      'audit-unavailable',
      `audit segment ${this.#current?.name ?? '?'} was changed by another writer ` +
        `(its chain is at seq ${this.#head.seq}, this writer expected ${before.seq}); is GATE_WRITER_ID shared by two replicas?`,
    );
  }

  #plan(lines: string[], from: number): Step {
    const cur = this.#current;
    if (cur && !cur.immutable) {
      const room = this.#max - this.#bytes;
      const take = fitting(lines, from, room);
      if (take > 0) {
        // Seal ahead: the batch goes on past this segment, or what is left
        // would not hold a record the size of the largest in this batch.
        const left = room - bytesOf(lines, from, from + take);
        const seal = from + take < lines.length || left < largest(lines, from);
        return { kind: 'append', take, seal };
      }
      // Full (a record larger than the seal-ahead guess): seal it, then the next step creates its successor.
      if (this.#bytes > 0) return { kind: 'seal' };
    }
    // A record larger than a whole segment still gets one to itself: the
    // threshold is below the 1 MiB object limit, and refusing it would block.
    return { kind: 'create', take: Math.max(1, fitting(lines, from, this.#max)) };
  }

  async #apply(step: Step, lines: string[], from: number): Promise<void> {
    const cur = this.#current;
    if (step.kind === 'seal') {
      this.#adopt(await this.#store.replace({ ...cur!, immutable: true }), this.#number);
      this.#sealed(cur!.name);
      return;
    }
    const chunk = lines.slice(from, from + step.take).join('');
    if (step.kind === 'append') {
      this.#adopt(
        await this.#store.replace({
          ...cur!,
          data: { ...cur!.data, [RECORDS_KEY]: recordsText(cur!) + chunk },
          immutable: step.seal,
        }),
        this.#number,
      );
      if (step.seal) this.#sealed(cur!.name);
      return;
    }
    await this.#roomForSegment();
    const n = this.#number + 1;
    const created = await this.#store.create({
      name: segmentName(this.#writer, n),
      labels: segmentLabels(this.#writer),
      // The new segment names where the chain comes from, so a reader (or an
      // operator exporting old segments) can link them without the old one.
      annotations: {
        ...(cur ? { [PREVIOUS_SEGMENT_ANNOTATION]: cur.name } : {}),
        [PREVIOUS_HASH_ANNOTATION]: this.#head.hash,
        [PREVIOUS_SEQ_ANNOTATION]: String(this.#head.seq),
      },
      data: { [RECORDS_KEY]: chunk },
      immutable: false,
    });
    this.#adopt(created, n);
    if (this.#oldest === 0) this.#oldest = n;
    this.#reportSegments();
    this.#logger.info('audit segment created', { segment: created.name, seq: this.#head.seq });
  }

  #sealed(name: string): void {
    this.#logger.info('audit segment sealed', { segment: name, bytes: this.#bytes, seq: this.#head.seq });
    this.#onSealed?.(this.#head.seq);
  }

  /**
   * Re-reads the newest segment (and its possible successor, which a create
   * with a lost answer may have made) without listing the whole history.
   */
  async #refresh(): Promise<void> {
    const n = this.#number;
    const cur = n > 0 ? await this.#getIfExists(segmentName(this.#writer, n)) : undefined;
    if (n > 0 && cur === undefined) {
      // Our newest segment is gone (removed by an operator?): start over from what is there.
      await this.resume();
      return;
    }
    const next = await this.#getIfExists(segmentName(this.#writer, n + 1));
    if (next) this.#adopt(next, n + 1);
    else if (cur) this.#adopt(cur, n);
    this.#stale = false;
  }

  #getIfExists(name: string): Promise<StoredConfigMap | undefined> {
    return getIfExists(this.#store, name);
  }

  #adopt(cm: StoredConfigMap, n: number): void {
    this.#current = cm;
    this.#number = n;
    this.#bytes = Buffer.byteLength(recordsText(cm), 'utf8');
    this.#head = segmentHead(cm, this.#writer);
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  #healthy(): void {
    if (this.#lastError !== undefined)
      this.#logger.info('audit ConfigMaps writable again', { namespace: this.#store.namespace });
    this.#lastError = undefined;
    if (this.#probe) clearInterval(this.#probe);
    this.#probe = undefined;
  }

  /**
   * Readiness reports the failure; a not-ready pod gets no admissions, so
   * recovery cannot wait for the next append: probe in the background.
   */
  #unhealthy(reason: string): void {
    this.#lastError = reason;
    if (this.#probe || this.#closing) return;
    this.#probe = setInterval(() => void this.#exclusive(() => this.#check()), this.#probeIntervalMs);
    this.#probe.unref();
  }

  /** Proves reads and updates work again: a re-read plus a no-op update (needs the same RBAC verb as an append). */
  async #check(): Promise<void> {
    if (this.#lastError === undefined || this.#closing) return;
    try {
      await this.#sync();
      await this.#refresh();
      if (this.#current && !this.#current.immutable)
        this.#adopt(await this.#store.replace(this.#current), this.#number);
      // A sealed newest segment at the cap: not writable until the archiver made room.
      else if (this.#current?.immutable) await this.#roomForSegment();
      this.#healthy();
    } catch (e) {
      this.#lastError = describeError(e);
    }
  }

  readRaw(): AsyncIterable<RawAuditEntry> {
    return liveSegmentEntries(this.#store);
  }

  readIndex(): Promise<AuditIndex> {
    return this.#readIndex.snapshot();
  }

  async chainStarts(): Promise<ReadonlyMap<string, ChainStart>> {
    return ledgerStarts(await readLedger(this.#store));
  }

  health(): SinkHealth {
    const where = `audit ConfigMaps in ${this.#store.namespace}`;
    if (this.#closing) return { ok: false, detail: `${where}: closed` };
    if (this.#lastError !== undefined)
      return { ok: false, detail: `${where}: last write failed: ${this.#lastError}` };
    return {
      ok: true,
      detail: `${where}: writer ${this.#writer} at seq ${this.#head.seq} (${this.#current?.name ?? 'no segment yet'})`,
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#probe) clearInterval(this.#probe);
      this.#probe = undefined;
      await this.#queue.close();
    })();
    return this.#closing;
  }
}

/** Every live line of every writer (what is not archived yet), writer by writer, segment by segment. */
export async function* liveSegmentEntries(store: ConfigMapStore): AsyncGenerator<RawAuditEntry> {
  const segments = orderSegments(await store.list(ALL_SEGMENTS_SELECTOR));
  // Read after the list: a segment the archiver deleted meanwhile is covered by the ledger read here.
  const archived = (await readLedger(store)).entries;
  for (const cm of segments) {
    // Exported by the archiver, awaiting its delete: the archive holds it, and the live chain starts after it.
    const id = segmentId(cm);
    if (id && id.n <= (archived.get(id.writer)?.segment ?? 0)) continue;
    yield* segmentEntries(cm);
  }
}

function bytesOf(lines: string[], from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += Buffer.byteLength(lines[i]!, 'utf8');
  return n;
}

/** The largest of lines[from..] in bytes: the seal-ahead guess of the next record's size. */
function largest(lines: string[], from: number): number {
  let n = 0;
  for (let i = from; i < lines.length; i++) n = Math.max(n, Buffer.byteLength(lines[i]!, 'utf8'));
  return n;
}

/** How many of lines[from..] fit in `room` bytes. */
function fitting(lines: string[], from: number, room: number): number {
  let used = 0;
  let k = 0;
  for (let i = from; i < lines.length; i++) {
    const size = Buffer.byteLength(lines[i]!, 'utf8');
    if (used + size > room) break;
    used += size;
    k += 1;
  }
  return k;
}

/**
 * Resumes this writer's chain from its newest segment. An unreachable
 * apiserver does not stop the start: the sink comes up unhealthy (the gate
 * is not ready and BLOCKs) and re-reads before its first write. Refused
 * access (RBAC) is a deployment error and does stop it.
 */
export async function openConfigMapAuditSink(options: ConfigMapAuditSinkOptions): Promise<AuditSink> {
  assertAuditWriter(options.writer);
  const logger = options.logger ?? silent;
  const sink = new ConfigMapAuditSink(options);
  try {
    await sink.resume();
    logger.info('audit ConfigMaps opened', {
      namespace: options.store.namespace,
      writer: options.writer,
      ...sink.health(),
    });
  } catch (e) {
    if (!isKubeError(e, 'unavailable'))
      throw new GateError(
        'config-invalid',
        `audit ConfigMaps in ${options.store.namespace}: ${describeError(e)}`,
        undefined,
        { cause: e },
      );
    logger.warn('audit ConfigMaps unreachable at start; BLOCKing until they are', {
      error: describeError(e),
    });
    sink.markUnreachable(describeError(e));
  }
  return sink;
}
