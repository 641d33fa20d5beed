// An append-only RFC 6962 tree that keeps every perfect subtree hash
// (level k holds the roots of the aligned 2^k-leaf subtrees), so the root at
// any earlier size, an inclusion proof and a consistency proof all cost
// O(log n) hashes. About 64 bytes per leaf. Pure.
import { HashArray } from './hash-array.js';
import { EMPTY_ROOT, isPowerOfTwo, nodeHash, splitPoint } from './rfc6962.js';

export class MerkleTree {
  readonly #levels: HashArray[] = [new HashArray()];

  get size(): number {
    return this.#levels[0]!.length;
  }

  append(leafHash: Uint8Array): void {
    this.#levels[0]!.push(leafHash);
    // Complete every subtree this leaf closes.
    for (let k = 0; this.#levels[k]!.length % 2 === 0; k++) {
      const level = this.#levels[k]!;
      const n = level.length;
      if (!this.#levels[k + 1]) this.#levels.push(new HashArray());
      this.#levels[k + 1]!.push(nodeHash(level.at(n - 2), level.at(n - 1)));
    }
  }

  /** The leaf hash at `index`. */
  leaf(index: number): Buffer {
    return this.#levels[0]!.at(index);
  }

  /** MTH of the first `size` leaves. */
  root(size = this.size): Buffer {
    this.#checkSize(size);
    return size === 0 ? EMPTY_ROOT : this.#hash(0, size);
  }

  /** RFC 6962 2.1.1 PATH(index, D[0:size]): the leaf's sibling first, up to the root's child. */
  inclusionProof(index: number, size: number): Buffer[] {
    this.#checkSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
    const proof: Buffer[] = [];
    this.#path(index, 0, size, proof);
    return proof;
  }

  /** RFC 6962 2.1.2 PROOF(from, D[0:to]); empty when from is 0 or equal to to. */
  consistencyProof(from: number, to: number): Buffer[] {
    this.#checkSize(to);
    if (!Number.isSafeInteger(from) || from < 0 || from > to)
      throw new RangeError(`cannot prove size ${from} consistent with size ${to}`);
    const proof: Buffer[] = [];
    if (from > 0 && from < to) this.#subproof(from, 0, to, true, proof);
    return proof;
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size)
      throw new RangeError(`tree size ${size} is not between 0 and ${this.size}`);
  }

  #path(m: number, start: number, end: number, out: Buffer[]): void {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m - start < k) {
      this.#path(m, start, start + k, out);
      out.push(this.#hash(start + k, end));
    } else {
      this.#path(m, start + k, end, out);
      out.push(this.#hash(start, start + k));
    }
  }

  #subproof(m: number, start: number, end: number, whole: boolean, out: Buffer[]): void {
    const n = end - start;
    if (m === n) {
      if (!whole) out.push(this.#hash(start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.#subproof(m, start, start + k, whole, out);
      out.push(this.#hash(start + k, end));
    } else {
      this.#subproof(m - k, start + k, end, false, out);
      out.push(this.#hash(start, start + k));
    }
  }

  /** MTH(D[start:end]); a stored level when the range is an aligned perfect subtree. */
  #hash(start: number, end: number): Buffer {
    const n = end - start;
    if (isPowerOfTwo(n) && start % n === 0) {
      const k = Math.round(Math.log2(n));
      const level = this.#levels[k];
      if (level && start / n < level.length) return level.at(start / n);
    }
    const k = splitPoint(n);
    return nodeHash(this.#hash(start, start + k), this.#hash(start + k, end));
  }
}
