// What an audit sink keeps per segment so reads touch only what they show
// (a page, `?since=`, a decision lookup): time range, record count and a
// Bloom filter of request ids. Segments are runs of stored lines; the sink
// decides their size and where their bytes are. Pure.
import { createHash } from 'node:crypto';
import type { AuditRecord } from './contracts/audit.js';

/** The two hashes a filter probes with, computed once per id (a lookup tests every segment's filter with them). */
export interface IdHash {
  h1: number;
  h2: number;
}

export function idHash(id: string): IdHash {
  const d = createHash('sha256').update(id, 'utf8').digest();
  // `|` yields a signed 32-bit value: back to unsigned.
  return { h1: d.readUInt32BE(0), h2: (d.readUInt32BE(4) | 1) >>> 0 };
}

const BITS_PER_ID = 16;
const PROBES = 11;

/**
 * A Bloom filter of request ids: "no" is certain, "maybe" costs one segment
 * read. 16 bits and 11 probes per id: about 0.05% false maybes, so a lookup
 * in a million records (~4,000 segments) reads about two segments in vain.
 */
export class RequestIdFilter {
  readonly #bits: Uint8Array;
  readonly #m: number;

  constructor(capacity: number) {
    this.#m = Math.max(64, capacity * BITS_PER_ID);
    this.#bits = new Uint8Array(Math.ceil(this.#m / 8));
  }

  add(id: string | IdHash): void {
    const { h1, h2 } = typeof id === 'string' ? idHash(id) : id;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % this.#m;
      this.#bits[bit >> 3]! |= 1 << (bit & 7);
    }
  }

  mayContain(id: string | IdHash): boolean {
    const { h1, h2 } = typeof id === 'string' ? idHash(id) : id;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + i * h2) % this.#m;
      if ((this.#bits[bit >> 3]! & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }
}

/** A segment as the read paths see it: enough to skip it without reading it. */
export interface AuditSegmentInfo {
  /** The sink's handle for reading it back. */
  id: number;
  records: number;
  /** Record timestamps (ms); -Infinity for a record without a parseable one, as the page order treats it. */
  minTime: number;
  maxTime: number;
  mayHoldRequest(requestId: string | IdHash): boolean;
}

/** Accumulates one segment's summary as its records are stored. */
export class SegmentSummary implements AuditSegmentInfo {
  records = 0;
  minTime = Number.POSITIVE_INFINITY;
  maxTime = Number.NEGATIVE_INFINITY;
  readonly #filter: RequestIdFilter;

  constructor(
    readonly id: number,
    capacity: number,
  ) {
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

  mayHoldRequest(requestId: string | IdHash): boolean {
    return this.records > 0 && this.#filter.mayContain(requestId);
  }
}
