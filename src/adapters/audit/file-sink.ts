// Append-only JSON-lines audit file for running without a cluster.
//
// One file per process; every record names its writer, so a file can hold
// several chains (e.g. an old writer id before a rename) and verification
// checks each. Two live processes must not share a file: the repair and
// rollback below truncate, which is only safe for the single writer.
// Keep the writer id stable across restarts so the chain resumes.
import { constants as fsConstants } from 'node:fs';
import { chmod, mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { checkHead, headPathOf, readHead, writeHead, type AuditHead } from './file-head.js';
import { basename, dirname } from 'node:path';
import {
  chainBatch,
  GENESIS_HEAD,
  type AuditableReport,
  parseAuditLine,
  type ChainHead,
} from '../../core/audit-record.js';
import { isAlertRecord, type AuditRecord } from '../../core/contracts/audit.js';
import type { DecisionReport } from '../../core/contracts/report.js';
import { describeError, GateError } from '../../core/errors.js';
import { assertAuditWriter } from '../../core/audit-writer.js';
import type { AuditSink, RawAuditEntry, SinkHealth } from '../../core/ports/audit.js';
import type { Logger } from '../../core/ports/runtime.js';
import type { FlushInfo } from './group-commit.js';
import { ReportQueue } from './report-queue.js';
import { readStoredLines } from './jsonl-lines.js';
import { FileIndex } from './file-index.js';

/** The three calls that touch the disk on the commit path; tests inject faults here. */
export interface FileSinkIo {
  write(fh: FileHandle, data: Buffer): Promise<void>;
  sync(fh: FileHandle): Promise<void>;
  truncate(fh: FileHandle, length: number): Promise<void>;
}

export const defaultFileSinkIo: FileSinkIo = {
  async write(fh, data) {
    // fs writes may be partial; the file is opened for append, so every
    // chunk lands at the end.
    for (let off = 0; off < data.length;) {
      const { bytesWritten } = await fh.write(data, off, data.length - off, null);
      off += bytesWritten;
    }
  },
  // datasync also persists the file size, which is all an append changes.
  sync: (fh) => fh.datasync(),
  truncate: (fh, length) => fh.truncate(length),
};

export interface FileAuditSinkOptions {
  path: string;
  writer: string;
  lingerMs?: number;
  maxPending?: number;
  maxBatch?: number;
  logger?: Logger;
  io?: Partial<FileSinkIo>;
  onFlush?(info: FlushInfo): void;
  /** Called once when the file stops being the one the sink holds (deleted, replaced, shrunk): raise the alert. */
  onUnavailable?(detail: string): void;
  /** How often the file's identity is checked between writes (ms; 0 = only around writes and reads). */
  identityCheckMs?: number;
  /**
   * At most one head write per this many ms (default 100; 0 = after every
   * batch). Under load a batch commits every few ms, and a head write is an
   * open, an fsync and a rename: rewriting it for each batch cost more than
   * the batch. The head may then lag the log by this long, which it already
   * may after a crash (a lag is accepted at start, a lead never).
   */
  headEveryMs?: number;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface ScanResult {
  head: ChainHead;
  /** Length of the file once a torn tail is cut away. */
  goodLength: number;
  size: number;
  lines: number;
  /** Every writer's last (seq, hash) in the file, for the head check. */
  lastByWriter: Map<string, ChainHead>;
  /** The hash of the record `probe` names, if the file holds it. */
  probed?: string;
  /** Segment summaries of the good part of the file. */
  index: FileIndex;
}

/**
 * Reads the file once: where this writer's chain stands, and whether the
 * tail is torn. A torn tail is a last line without its newline, or a last
 * line that is not JSON (a crash mid-append). Such a line was never
 * acknowledged, so cutting it loses nothing. A bad line in the middle is
 * left alone: it is evidence, and verification reports it.
 */
async function scan(
  fh: FileHandle,
  writer: string,
  probe?: { writer: string; seq: number },
): Promise<ScanResult> {
  const { size } = await fh.stat();
  let head: ChainHead = GENESIS_HEAD;
  let goodLength = 0;
  let lines = 0;
  const lastByWriter = new Map<string, ChainHead>();
  let probed: string | undefined;
  const index = new FileIndex();
  for await (const line of readStoredLines(fh, size)) {
    lines = line.line;
    if (!line.terminated) break;
    if (!isJson(line.text)) {
      if (line.end === size) break; // the last line: torn
      goodLength = line.end;
      index.addLine(line.start, line.end, undefined);
      continue;
    }
    goodLength = line.end;
    const parsed = parseAuditLine(line.text);
    // Alert records hold no decision: the index (pages, lookups) skips them like other non-decision lines.
    index.addLine(
      line.start,
      line.end,
      parsed.ok && !isAlertRecord(parsed.record) ? parsed.record : undefined,
    );
    if (!parsed.ok) continue;
    const at = { seq: parsed.record.seq, hash: parsed.record.hash };
    lastByWriter.set(parsed.record.writer, at);
    if (parsed.record.writer === writer) head = at;
    if (probe && parsed.record.writer === probe.writer && parsed.record.seq === probe.seq)
      probed = parsed.record.hash;
  }
  return { head, goodLength, size, lines, lastByWriter, index, ...(probed === undefined ? {} : { probed }) };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

class FileAuditSink implements AuditSink {
  readonly kind = 'file';
  readonly #index: FileIndex;
  readonly index = {
    segments: () => this.#index.segments(),
    read: (id: number) => this.#readSegment(id),
  };
  readonly #queue: ReportQueue;
  readonly #io: FileSinkIo;
  #head: ChainHead;
  /** Bytes known durable; the file is cut back to this after a failed commit. */
  #committed: number;
  #mustTruncate = false;
  #lastError: string | undefined;
  /** Set (for good) once the path no longer names the file held open at the size written: nothing is acknowledged after. */
  #lost: string | undefined;
  #flushing = false;
  #nextHead: AuditHead | undefined;
  #headBusy = false;
  #headDone: Promise<void> = Promise.resolve();
  #headError: string | undefined;
  readonly #headEveryMs: number;
  #lastHeadAt = 0;
  #headTimer: NodeJS.Timeout | undefined;
  /** Counts flushes begun: a check between writes whose stat overlapped one is inconclusive. */
  #flushes = 0;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #onUnavailable: (detail: string) => void;
  readonly #held: { dev: number; ino: number };
  #closing: Promise<void> | undefined;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly writer: string,
    scanned: ScanResult,
    held: { dev: number; ino: number },
    options: FileAuditSinkOptions,
  ) {
    this.#io = { ...defaultFileSinkIo, ...options.io };
    this.#head = scanned.head;
    this.#committed = scanned.goodLength;
    this.#index = scanned.index;
    this.#held = held;
    this.#onUnavailable = options.onUnavailable ?? (() => {});
    this.#headEveryMs = options.headEveryMs ?? 100;
    this.#queue = new ReportQueue((reports) => this.#flush(reports), options);
    const every = options.identityCheckMs ?? 2000;
    if (every > 0) {
      // Between writes too, so /readyz turns 503 without waiting for traffic.
      this.#timer = setInterval(() => {
        void this.#checkBetweenWrites().catch(() => undefined);
      }, every);
      this.#timer.unref();
    }
  }

  /**
   * The identity check (#identityProblem) outside a flush (timer, reads). A flush that starts while
   * the stat is out changes the size under it, and a failed rollback leaves
   * bytes past the committed length: both make the answer inconclusive, and
   * the flush's own checks decide.
   */
  async #checkBetweenWrites(): Promise<void> {
    if (this.#lost) throw new GateError('audit-unavailable', this.#lost);
    if (this.#flushing || this.#mustTruncate) return;
    const flushes = this.#flushes;
    const size = this.#committed;
    const problem = await this.#identityProblem(size);
    if (problem === undefined || this.#flushing || this.#flushes !== flushes || this.#mustTruncate) return;
    this.#markLost(problem);
  }

  /**
   * Why the path no longer names the file held open at `size` bytes, or
   * undefined. A deleted or renamed log keeps accepting writes into its
   * orphaned inode, a replaced one is another file, a shorter one lost
   * records: acknowledging any of them would be a lie (each flush asks twice).
   */
  async #identityProblem(size: number): Promise<string | undefined> {
    const named = await stat(this.path).catch((e: unknown) =>
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : Promise.reject(e),
    );
    if (!named) return 'no longer exists (deleted or renamed while open)';
    if (named.dev !== this.#held.dev || named.ino !== this.#held.ino) return 'was replaced by another file';
    if (named.size !== size)
      return `has ${named.size} bytes where ${size} were written (${named.size < size ? 'truncated' : 'written to by someone else'})`;
    return undefined;
  }

  #markLost(problem: string): never {
    this.#lost = `audit file ${this.path} ${problem}; refusing to record decisions until the gate is restarted on an intact log`;
    this.#onUnavailable(this.#lost);
    throw new GateError('audit-unavailable', this.#lost);
  }

  append(report: DecisionReport): Promise<AuditRecord> {
    return this.#queue.append(report);
  }

  async #flush(reports: AuditableReport[]): Promise<AuditRecord[]> {
    this.#flushing = true;
    this.#flushes += 1;
    try {
      if (this.#mustTruncate) {
        await this.#io.truncate(this.fh, this.#committed);
        this.#mustTruncate = false;
      }
      if (this.#headError !== undefined)
        throw new GateError('audit-unavailable', `audit head file write failed: ${this.#headError}`);
      if (this.#lost) throw new GateError('audit-unavailable', this.#lost);
      // Still the file the path names, at the length committed? Asked while
      // the batch is chained and serialized, and answered before it is written.
      const intact = this.#identityProblem(this.#committed);
      intact.catch(() => undefined);
      const { records, head } = chainBatch(reports, this.writer, this.#head);
      const lines = records.map((r) => `${JSON.stringify(r)}\n`);
      const data = Buffer.from(lines.join(''), 'utf8');
      const before = await intact;
      if (before !== undefined) this.#markLost(before);
      let identity: Promise<string | undefined>;
      try {
        await this.#io.write(this.fh, data);
        // And after the write: into the file the path names, onto that
        // length? Asked while the sync runs. Each trip to the thread pool was
        // a serial step of every batch (the two stats cost about a quarter of
        // the admission throughput); either failing fails the batch.
        identity = this.#identityProblem(this.#committed + data.length);
        identity.catch(() => undefined);
        await this.#io.sync(this.fh);
      } catch (e) {
        // Unknown outcome (e.g. written but not synced): the lines may be in
        // the file. Cut back to the last durable length so the next batch,
        // which reuses these seq numbers, does not follow orphans.
        await this.#rollback();
        throw e;
      }
      const problem = await identity;
      if (problem !== undefined) this.#markLost(problem);
      const next: AuditHead = {
        writer: this.writer,
        seq: head.seq,
        hash: head.hash,
        size: this.#committed + data.length,
      };
      this.#head = head;
      let at = this.#committed;
      records.forEach((r, i) => {
        const end = at + Buffer.byteLength(lines[i]!, 'utf8');
        this.#index.addLine(at, end, isAlertRecord(r) ? undefined : r);
        at = end;
      });
      this.#committed = next.size;
      // Kept outside the log, so a log cut back to before this batch is
      // noticed at the next start. Written after the log's sync, off the
      // answer's path: after a crash it may lag the log, never lead it.
      this.#queueHead(next);
      this.#lastError = undefined;
      return records;
    } catch (e) {
      if (this.#lost)
        throw e instanceof GateError
          ? e
          : new GateError('audit-unavailable', this.#lost, undefined, { cause: e });
      this.#lastError = describeError(e);
      throw new GateError('audit-unavailable', `audit file write failed: ${this.#lastError}`, undefined, {
        cause: e,
      });
    } finally {
      this.#flushing = false;
    }
  }

  /** Coalesces: only the newest waiting head is written, at most once per headEveryMs. */
  #queueHead(next: AuditHead): void {
    this.#nextHead = next;
    if (this.#headBusy || this.#headTimer !== undefined) return;
    const wait = this.#lastHeadAt + this.#headEveryMs - Date.now();
    if (wait <= 0) {
      this.#headDone = this.#drainHeads();
      return;
    }
    this.#headTimer = setTimeout(() => {
      this.#headTimer = undefined;
      this.#headDone = this.#drainHeads();
    }, wait);
    this.#headTimer.unref();
  }

  async #drainHeads(): Promise<void> {
    const h = this.#nextHead;
    if (h === undefined) return;
    this.#nextHead = undefined;
    this.#headBusy = true;
    try {
      await writeHead(this.path, h);
    } catch (e) {
      // Fail closed from the next batch on: a log whose head cannot be kept is not acknowledged.
      this.#headError = describeError(e);
    } finally {
      this.#headBusy = false;
      this.#lastHeadAt = Date.now();
    }
    // A head that arrived during the write waits its turn.
    if (this.#nextHead !== undefined) this.#queueHead(this.#nextHead);
  }

  /** The newest head written now (close): nothing acknowledged is left without one. */
  async #settleHeads(): Promise<void> {
    if (this.#headTimer !== undefined) clearTimeout(this.#headTimer);
    this.#headTimer = undefined;
    await this.#headDone;
    if (this.#nextHead !== undefined) {
      this.#headDone = this.#drainHeads();
      await this.#headDone;
    }
  }

  async #rollback(): Promise<void> {
    try {
      await this.#io.truncate(this.fh, this.#committed);
    } catch {
      // Retried before the next write; until then nothing is appended.
      this.#mustTruncate = true;
    }
  }

  async *readRaw(): AsyncIterable<RawAuditEntry> {
    // Only durable bytes: a batch being written (or rolled back) is not history yet.
    const limit = this.#committed;
    const name = basename(this.path);
    await this.#checkBetweenWrites();
    const fh = await open(this.path, 'r').catch((e: unknown) =>
      Promise.reject(
        new GateError(
          'audit-unavailable',
          `audit file ${this.path} cannot be opened for reading`,
          undefined,
          { cause: e },
        ),
      ),
    );
    try {
      // The name may have been pointed elsewhere between the check and the open.
      const opened = await fh.stat();
      if (opened.dev !== this.#held.dev || opened.ino !== this.#held.ino) {
        throw new GateError('audit-unavailable', `audit file ${this.path} was replaced by another file`);
      }
      for await (const line of readStoredLines(fh, limit))
        yield { location: `${name}:${line.line}`, text: line.text };
    } finally {
      await fh.close();
    }
  }

  /** One index segment's lines: the same checks as readRaw, then only that byte range. */
  async *#readSegment(id: number): AsyncIterable<RawAuditEntry> {
    await this.#checkBetweenWrites();
    const fh = await open(this.path, 'r').catch(() =>
      Promise.reject(
        new GateError('audit-unavailable', `audit file ${this.path} cannot be opened for reading`),
      ),
    );
    try {
      const opened = await fh.stat();
      if (opened.dev !== this.#held.dev || opened.ino !== this.#held.ino) {
        throw new GateError('audit-unavailable', `audit file ${this.path} was replaced by another file`);
      }
      yield* this.#index.read(fh, basename(this.path), id);
    } finally {
      await fh.close();
    }
  }

  health(): SinkHealth {
    if (this.#closing) return { ok: false, detail: `audit file ${this.path}: closed` };
    if (this.#lost !== undefined) return { ok: false, detail: this.#lost };
    if (this.#headError !== undefined)
      return { ok: false, detail: `audit file ${this.path}: head file write failed: ${this.#headError}` };
    if (this.#lastError !== undefined)
      return { ok: false, detail: `audit file ${this.path}: last write failed: ${this.#lastError}` };
    return { ok: true, detail: `audit file ${this.path}: writer ${this.writer} at seq ${this.#head.seq}` };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#timer) clearInterval(this.#timer);
      try {
        await this.#queue.close();
        await this.#settleHeads();
      } finally {
        await this.fh.close();
      }
    })();
    return this.#closing;
  }
}

/**
 * Every line of an audit file, named as the sink names them
 * (`audit.jsonl:17`), without opening a sink: for offline verification
 * (`migration-gate audit verify --file`). Reads the file as it is, torn tail
 * included, so verification reports it instead of silently skipping it.
 */
export async function* readJsonLines(path: string): AsyncGenerator<RawAuditEntry> {
  const name = basename(path);
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    for await (const line of readStoredLines(fh, size))
      yield { location: `${name}:${line.line}`, text: line.text };
  } finally {
    await fh.close();
  }
}

/** Creates the directory (0700) and file (0600) if needed, repairs a torn tail, resumes the chain. */
export async function openFileAuditSink(options: FileAuditSinkOptions): Promise<AuditSink> {
  const logger = options.logger ?? silent;
  assertAuditWriter(options.writer);
  const dir = dirname(options.path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existed = await stat(options.path).then(
    () => true,
    () => false,
  );
  const recorded = await readHead(options.path);
  if (recorded && !existed) {
    throw new GateError(
      'audit-unavailable',
      `audit file ${options.path} is missing but ${basename(headPathOf(options.path))} says it held writer ${recorded.writer} up to seq ${recorded.seq}; restore the log, or move both files aside to start a new one`,
    );
  }
  const fh = await open(options.path, fsConstants.O_RDWR | fsConstants.O_APPEND | fsConstants.O_CREAT, 0o600);
  try {
    if (existed) await warnIfExposed(fh, options.path, logger);
    else await syncDirectory(dir);
    const scanned = await scan(fh, options.writer, recorded);
    if (scanned.goodLength < scanned.size) {
      await fh.truncate(scanned.goodLength);
      await fh.datasync();
      logger.warn('audit file: torn last line removed', {
        path: options.path,
        line: scanned.lines,
        bytes_removed: scanned.size - scanned.goodLength,
      });
    }
    if (recorded) {
      const refused = checkHead(recorded, {
        size: scanned.goodLength,
        last: scanned.lastByWriter.get(recorded.writer),
        hashAtSeq: scanned.probed,
      });
      if (refused)
        throw new GateError(
          'audit-unavailable',
          `audit file ${options.path} ${refused}; restore the log, or move both it and ${basename(headPathOf(options.path))} aside to start a new one`,
        );
    }
    logger.info('audit file opened', { path: options.path, writer: options.writer, seq: scanned.head.seq });
    const held = await fh.stat();
    return new FileAuditSink(
      fh,
      options.path,
      options.writer,
      scanned,
      { dev: held.dev, ino: held.ino },
      options,
    );
  } catch (e) {
    await fh.close();
    throw e;
  }
}

// The new file's directory entry must survive a crash too. Best effort:
// some platforms cannot fsync a directory.
async function syncDirectory(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // not supported here
  }
}

async function warnIfExposed(fh: FileHandle, path: string, logger: Logger): Promise<void> {
  const { mode } = await fh.stat();
  if ((mode & 0o077) === 0) return;
  try {
    await chmod(path, 0o600);
  } catch (e) {
    logger.warn('audit file is readable by others and could not be restricted', {
      path,
      error: describeError(e),
    });
  }
}
