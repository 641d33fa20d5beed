// Which leaves of a writer's tree may be the decision with a given request
// id: one 32-bit hash per leaf, packed (4 bytes per record; a Map of id
// strings cost ~270 bytes per record, 2.7 GB of heap for 10 M decisions,
// all read at start). A lookup scans the column (a million leaves in about a
// millisecond) and yields candidates: the caller confirms each against the
// stored record, so a hash collision costs a read, never a wrong answer.
// Request ids are the gate's own ULIDs, so a fast non-cryptographic hash is
// enough. Pure.

/** The value of a leaf with no request id (an alert record); no id hashes to it. */
const NO_ID = 0;

/** FNV-1a over the UTF-16 code units, never NO_ID. */
export function requestIdHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h >>>= 0;
  return h === NO_ID ? 1 : h;
}

export class RequestIdColumn {
  #hashes = new Uint32Array(1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The next leaf's request id (undefined: a leaf no lookup can name). */
  push(id: string | undefined): void {
    if (this.#length === this.#hashes.length) {
      const bigger = new Uint32Array(this.#hashes.length * 2);
      bigger.set(this.#hashes);
      this.#hashes = bigger;
    }
    this.#hashes[this.#length++] = id === undefined ? NO_ID : requestIdHash(id);
  }

  /** Leaf indexes whose id may be `id`, ascending. */
  candidates(id: string): number[] {
    const want = requestIdHash(id);
    const out: number[] = [];
    const hashes = this.#hashes;
    for (let i = 0; i < this.#length; i++) if (hashes[i] === want) out.push(i);
    return out;
  }
}
