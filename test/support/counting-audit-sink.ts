// A MemoryAuditSink whose reads can be counted, held and failed, for tests of
// who walks the log and how often: `reads` counts readRaw() walks started,
// `hold()` parks every walk before its first line until released, and
// `failReads(n)` makes the next n walks throw after their first line (a read
// error half way, so a partial walk must not pass for a complete one).
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import type { AuditEntry } from '../../src/core/audit-record.js';
import type { AuditSink, RawAuditEntry, SinkHealth } from '../../src/core/ports/audit.js';
import { MemoryAuditSink } from './memory-audit-sink.js';

export class CountingAuditSink implements AuditSink {
  readonly kind = 'memory';
  readonly inner: MemoryAuditSink;
  /** readRaw() walks started. */
  reads = 0;
  #failures: Array<() => Error> = [];
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(writer = 'test-writer') {
    this.inner = new MemoryAuditSink(writer);
  }

  /** The next `n` walks throw `make()` after yielding their first line. */
  failReads(
    n = 1,
    make: () => Error = () => new Error('EACCES: permission denied, open /var/lib/secret/audit.jsonl'),
  ): this {
    for (let i = 0; i < n; i += 1) this.#failures.push(make);
    return this;
  }

  /** Walks started from now on wait before their first line until the returned function is called. */
  hold(): () => void {
    this.#held = new Promise<void>((resolve) => {
      this.#release = resolve;
    });
    return () => {
      this.#release?.();
      this.#held = undefined;
    };
  }

  append(report: AuditEntry): Promise<AuditRecord> {
    return this.inner.append(report);
  }

  async *readRaw(): AsyncIterable<RawAuditEntry> {
    this.reads += 1;
    const fail = this.#failures.shift();
    if (this.#held) await this.#held;
    let n = 0;
    for await (const entry of this.inner.readRaw()) {
      if (fail && n === 1) throw fail();
      yield entry;
      n += 1;
    }
    if (fail) throw fail();
  }

  health(): SinkHealth {
    return this.inner.health();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
