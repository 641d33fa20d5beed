// The right edge of a growing Merkle tree: one hash per perfect subtree
// (at most log2(n) of them). Enough to know the root at the current size in
// constant memory, which is all an offline verifier walking a log needs.
// It is also where a tree resumes once its oldest leaves are archived: the
// archiver keeps it in its ledger, and MerkleTree starts from it.
import { EMPTY_ROOT, nodeHash } from './rfc6962.js';

export class CompactRange {
  readonly #sizes: number[] = [];
  readonly #hashes: Buffer[] = [];
  #size = 0;

  /** The range of `size` leaves from its hashes, largest subtree first (as `hashes` lists them). */
  constructor(size = 0, hashes: readonly Uint8Array[] = []) {
    if (!Number.isSafeInteger(size) || size < 0)
      throw new RangeError(`compact range size ${size} is not a size`);
    for (let n = 2 ** Math.floor(Math.log2(Math.max(size, 1))); n >= 1; n /= 2)
      if (Math.floor(size / n) % 2 === 1) this.#sizes.push(n);
    if (hashes.length !== this.#sizes.length)
      throw new RangeError(
        `a compact range of ${size} leaves has ${this.#sizes.length} hashes, not ${hashes.length}`,
      );
    for (const h of hashes) this.#hashes.push(Buffer.from(h));
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  /** Its perfect subtrees' hashes, largest (leftmost) first. */
  hashes(): Buffer[] {
    return this.#hashes.map((h) => Buffer.from(h));
  }

  append(leafHash: Buffer): void {
    let size = 1;
    let hash = leafHash;
    // Two perfect subtrees of equal size merge, like a binary counter's carry.
    while (this.#sizes.length > 0 && this.#sizes[this.#sizes.length - 1] === size) {
      this.#sizes.pop();
      hash = nodeHash(this.#hashes.pop()!, hash);
      size *= 2;
    }
    this.#sizes.push(size);
    this.#hashes.push(hash);
    this.#size += 1;
  }

  /** MTH of the leaves appended so far: the subtrees folded from the right. */
  root(): Buffer {
    if (this.#hashes.length === 0) return EMPTY_ROOT;
    let root = this.#hashes[this.#hashes.length - 1]!;
    for (let i = this.#hashes.length - 2; i >= 0; i--) root = nodeHash(this.#hashes[i]!, root);
    return root;
  }
}
