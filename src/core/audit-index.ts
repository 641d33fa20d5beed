// What an audit sink keeps per segment so reads touch only what they show
// (a page, `?since=`, a decision lookup): time range, record count and a
// Bloom filter of request ids. Segments are runs of stored lines; the sink
// decides their size and where their bytes are. Pure.
import { createHash } from 'node:crypto';
import type { AuditRecord } from './contracts/audit.js';

/**
 * A Bloom filter of request ids: "no" is certain, "maybe" costs one segment
 * read. ~10 bits and 7 probes per id: about 1% false maybes.
 */
export class RequestIdFilter {
  readonly #bits: Uint8Array;
  readonly #m: number;

  constructor(capacity: number) {
    this.#m = Math.max(64, capacity * 10);
    this.#bits = new Uint8Array(Math.ceil(this.#m / 8));
  }

  add(id: string): void {
    for (const bit of probes(id, this.#m)) this.#bits[bit >> 3]! |= 1 << (bit & 7);
  }

  mayContain(id: string): boolean {
    for (const bit of probes(id, this.#m)) if ((this.#bits[bit >> 3]! & (1 << (bit & 7))) === 0) return false;
    return true;
  }
}

function* probes(id: string, m: number): Generator<number> {
  const d = createHash('sha256').update(id, 'utf8').digest();
  const h1 = d.readUInt32BE(0);
  const h2 = (d.readUInt32BE(4) | 1) >>> 0; // `|` yields a signed 32-bit value: back to unsigned
  for (let i = 0; i < 7; i++) yield (h1 + i * h2) % m;
}

/** A segment as the read paths see it: enough to skip it without reading it. */
export interface AuditSegmentInfo {
  /** The sink's handle for reading it back. */
  id: number;
  records: number;
  /** Record timestamps (ms); -Infinity for a record without a parseable one, as the page order treats it. */
  minTime: number;
  maxTime: number;
  mayHoldRequest(requestId: string): boolean;
}

/** Accumulates one segment's summary as its records are stored. */
export class SegmentSummary implements AuditSegmentInfo {
  records = 0;
  minTime = Number.POSITIVE_INFINITY;
  maxTime = Number.NEGATIVE_INFINITY;
  readonly #filter: RequestIdFilter;

  constructor(readonly id: number, capacity: number) {
    this.#filter = new RequestIdFilter(capacity);
  }

  add(record: Pick<AuditRecord, 'timestamp' | 'request_id'>): void {
    const t = Date.parse(record.timestamp);
    const time = Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
    this.records += 1;
    if (time < this.minTime) this.minTime = time;
    if (time > this.maxTime) this.maxTime = time;
    this.#filter.add(record.request_id);
  }

  mayHoldRequest(requestId: string): boolean {
    return this.records > 0 && this.#filter.mayContain(requestId);
  }
}
