// Audit records as JSON lines on a stream (process.stdout, injected by the
// caller) for log shippers. "Durable" here means the stream accepted the
// write (its callback fired without error); what happens downstream is the
// shipper's business.
//
// This sink keeps no queryable history: readRaw() yields nothing, so
// /api/v1/audit/logs is empty and /api/v1/audit/verify has nothing to check
// (the service should say so, based on kind === 'stdout'). The chain starts
// at seq 1 on every start, so give each process a unique writer id (e.g. pod
// name + start time) or chains from successive runs collide downstream.
import { chainBatch, GENESIS_HEAD, type AuditableReport, type ChainHead } from '../../core/audit-record.js';
import type { AuditRecord } from '../../core/contracts/audit.js';
import type { DecisionReport } from '../../core/contracts/report.js';
import { describeError, GateError } from '../../core/errors.js';
import { assertAuditWriter } from '../../core/audit-writer.js';
import type { AuditSink, RawAuditEntry, SinkHealth } from '../../core/ports/audit.js';
import type { FlushInfo } from './group-commit.js';
import { ReportQueue } from './report-queue.js';

/** The part of a Writable the sink uses. */
export interface LineWritable {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

export interface StdoutAuditSinkOptions {
  writer: string;
  stream: LineWritable;
  lingerMs?: number;
  maxPending?: number;
  onFlush?(info: FlushInfo): void;
}

class StdoutAuditSink implements AuditSink {
  readonly kind = 'stdout';
  readonly #queue: ReportQueue;
  #head: ChainHead = GENESIS_HEAD;
  #lastError: string | undefined;
  #closed = false;
  // An unhandled 'error' on stdout (EPIPE when the shipper dies) would crash
  // the process; record it instead so health() and the next append see it.
  readonly #onError = (e: Error): void => {
    this.#lastError = describeError(e);
  };

  constructor(private readonly options: StdoutAuditSinkOptions) {
    options.stream.on?.('error', this.#onError);
    this.#queue = new ReportQueue((reports) => this.#flush(reports), {
      ...options,
      lingerMs: options.lingerMs ?? 0,
    });
  }

  append(report: DecisionReport): Promise<AuditRecord> {
    return this.#queue.append(report);
  }

  async #flush(reports: AuditableReport[]): Promise<AuditRecord[]> {
    const { records, head } = chainBatch(reports, this.options.writer, this.#head);
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    try {
      await new Promise<void>((resolve, reject) => {
        this.options.stream.write(text, (error) => (error ? reject(error) : resolve()));
      });
    } catch (e) {
      this.#lastError = describeError(e);
      throw new GateError('audit-unavailable', `audit stream write failed: ${this.#lastError}`, undefined, {
        cause: e,
      });
    }
    // Unlike a file, a stream cannot be rolled back; a failed write may have
    // been partly emitted, and the next batch reuses its seq numbers.
    this.#head = head;
    this.#lastError = undefined;
    return records;
  }

  // eslint-disable-next-line require-yield -- no history to read, by design
  async *readRaw(): AsyncIterable<RawAuditEntry> {
    return;
  }

  health(): SinkHealth {
    if (this.#closed) return { ok: false, detail: 'audit stdout: closed' };
    if (this.#lastError !== undefined)
      return { ok: false, detail: `audit stdout: last write failed: ${this.#lastError}` };
    return {
      ok: true,
      detail: `audit stdout: writer ${this.options.writer} at seq ${this.#head.seq} (no queryable history)`,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.close();
    this.options.stream.off?.('error', this.#onError);
  }
}

export function createStdoutAuditSink(options: StdoutAuditSinkOptions): AuditSink {
  assertAuditWriter(options.writer);
  return new StdoutAuditSink(options);
}
