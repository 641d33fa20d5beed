// The port between the archiver and the stores it archives into (a
// directory, PostgreSQL). Types only: the archiver and each target are
// adapters, and adapters share ports through the core.
import type { ChainHead } from './audit-record.js';

export interface ArchivedSegment {
  name: string;
  writer: string;
  n: number;
  /** The segment's data["records.jsonl"], byte for byte. */
  text: string;
  /** The head the segment continues (the previous segment's last record). */
  previous: ChainHead;
  /** Its own last record. */
  last: ChainHead;
  records: number;
  /**
   * The writer's signed checkpoint of exactly `last.seq` records (signed at
   * the seal), when the board had it: the archive is then verifiable
   * offline with the public key alone.
   */
  checkpoint?: string;
}

/** Where sealed segments go before they are deleted. `put` resolves once the segment is durable there and reads back identical. */
export interface ArchiveTarget {
  readonly name: string;
  put(segment: ArchivedSegment): Promise<void>;
}
