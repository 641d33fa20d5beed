// What an audit sink keeps per segment so reads touch only what they show
// (a page, `?since=`, a decision lookup): time range, record count and a
// Bloom filter of request ids. Segments are runs of stored lines; the sink
// decides their size and where their bytes are. Pure.
import { hash } from 'node:crypto';
import type { AuditRecord } from './contracts/audit.js';

/** The bits an id sets, before the modulo: computed once per id (a lookup tests every segment's filter with them). */
export interface IdHash {
  /** PROBES independent 32-bit words of SHA-512(id). */
  readonly words: Uint32Array;
}

export function idHash(id: string): IdHash {
  const d = hash('sha512', id, 'buffer');
  const words = new Uint32Array(PROBES);
  for (let i = 0; i < PROBES; i++) words[i] = d.readUInt32BE(4 * i);
  return { words };
}

const BITS_PER_ID = 24;
const PROBES = 16;

/**
 * A Bloom filter of request ids: "no" is certain, "maybe" costs one segment
 * read. 24 bits and 16 independent probes per id: about 0.001% false
 * maybes, so a lookup in a million records (~4,000 runs of 256) reads a
 * segment in vain about once in 25 lookups. (16 bits and 11 double-hashed
 * probes gave 0.05%, two segment reads in vain per lookup, each a ~900 KiB
 * ConfigMap fetch when its body is not cached; double hashing alone, at
 * these sizes, measured 4x the false maybes of independent probes.) 3 bytes
 * per record in memory.
 */
export class RequestIdFilter {
  readonly #bits: Uint8Array;
  readonly #m: number;

  constructor(capacity: number) {
    this.#m = Math.max(64, capacity * BITS_PER_ID);
    this.#bits = new Uint8Array(Math.ceil(this.#m / 8));
  }

  add(id: string | IdHash): void {
    const { words } = typeof id === 'string' ? idHash(id) : id;
    for (const w of words) {
      const bit = w % this.#m;
      this.#bits[bit >> 3]! |= 1 << (bit & 7);
    }
  }

  mayContain(id: string | IdHash): boolean {
    const { words } = typeof id === 'string' ? idHash(id) : id;
    for (const w of words) {
      const bit = w % this.#m;
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
