// The right edge of a growing Merkle tree: one hash per perfect subtree
// (at most log2(n) of them). Enough to know the root at the current size in
// constant memory, which is all an offline verifier walking a log needs.
import { EMPTY_ROOT, nodeHash } from './rfc6962.js';

export class CompactRange {
  readonly #sizes: number[] = [];
  readonly #hashes: Buffer[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
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
