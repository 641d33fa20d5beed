// An append-only RFC 6962 tree that keeps every perfect subtree hash
// (level k holds the roots of the aligned 2^k-leaf subtrees), so the root at
// any earlier size, an inclusion proof and a consistency proof all cost
// O(log n) hashes. About 64 bytes per leaf. Pure.
//
// A tree can also resume after its oldest leaves left (archived out of the
// store): from the compact range of that prefix (one hash per set bit of
// its size) it appends, roots every size from the prefix on, and proves
// every leaf and consistency from the prefix on, since those proofs only
// ever use the prefix's compact-range nodes (RFC 9162 2.1.3, 2.1.4).
import { HashArray } from './hash-array.js';
import { EMPTY_ROOT, isPowerOfTwo, nodeHash, splitPoint } from './rfc6962.js';

export class MerkleTree {
  readonly #levels: HashArray[] = [new HashArray()];
  /** Per level, the index of its first stored node: nonzero only in a resumed tree. */
  readonly #base: number[] = [0];
  /** Leaves before this are not held (a resumed tree's prefix). */
  readonly prefix: number;

  constructor(prefix = 0, prefixRange: readonly Uint8Array[] = []) {
    if (!Number.isSafeInteger(prefix) || prefix < 0)
      throw new RangeError(`tree prefix ${prefix} is not a size`);
    const bits = [...prefix.toString(2)].reverse();
    const expected = bits.filter((b) => b === '1').length;
    if (prefixRange.length !== expected)
      throw new RangeError(
        `a compact range of ${prefix} leaves has ${expected} hashes, not ${prefixRange.length}`,
      );
    this.prefix = prefix;
    // The range lists the perfect subtrees largest (leftmost) first: the set bits, high to low.
    let next = 0;
    for (let k = bits.length - 1; k >= 0; k--) {
      const count = Math.floor(prefix / 2 ** k);
      this.#levelAt(k);
      if (bits[k] === '1') {
        this.#base[k] = count - 1;
        this.#levels[k]!.push(prefixRange[next++]!);
      } else this.#base[k] = count;
    }
  }

  get size(): number {
    return this.#base[0]! + this.#levels[0]!.length;
  }

  append(leafHash: Uint8Array): void {
    this.#levels[0]!.push(leafHash);
    // Complete every subtree this leaf closes.
    for (let k = 0; (this.#base[k]! + this.#levels[k]!.length) % 2 === 0; k++) {
      const level = this.#levels[k]!;
      const n = level.length;
      this.#levelAt(k + 1).push(nodeHash(level.at(n - 2), level.at(n - 1)));
    }
  }

  #levelAt(k: number): HashArray {
    while (this.#levels.length <= k) {
      // A level first reached by appending starts where the prefix's count at that height ends.
      this.#base.push(Math.floor(this.prefix / 2 ** this.#levels.length));
      this.#levels.push(new HashArray());
    }
    return this.#levels[k]!;
  }

  /** The leaf hash at `index` (from the prefix on). */
  leaf(index: number): Buffer {
    if (index < this.prefix)
      throw new RangeError(`leaf ${index} is before this tree's prefix (${this.prefix})`);
    return this.#levels[0]!.at(index - this.prefix);
  }

  /** MTH of the first `size` leaves. */
  root(size = this.size): Buffer {
    this.#checkSize(size);
    return size === 0 ? EMPTY_ROOT : this.#hash(0, size);
  }

  /** RFC 6962 2.1.1 PATH(index, D[0:size]): the leaf's sibling first, up to the root's child. */
  inclusionProof(index: number, size: number): Buffer[] {
    this.#checkSize(size);
    if (!Number.isSafeInteger(index) || index < this.prefix || index >= size)
      throw new RangeError(`leaf index ${index} is not in a tree of size ${size} from leaf ${this.prefix}`);
    const proof: Buffer[] = [];
    this.#path(index, 0, size, proof);
    return proof;
  }

  /** RFC 6962 2.1.2 PROOF(from, D[0:to]); empty when from is 0 or equal to to. */
  consistencyProof(from: number, to: number): Buffer[] {
    this.#checkSize(to);
    if (!Number.isSafeInteger(from) || from < 0 || from > to || (from > 0 && from < this.prefix))
      throw new RangeError(`cannot prove size ${from} consistent with size ${to} from leaf ${this.prefix}`);
    const proof: Buffer[] = [];
    if (from > 0 && from < to) this.#subproof(from, 0, to, true, proof);
    return proof;
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < this.prefix || size > this.size)
      throw new RangeError(`tree size ${size} is not between ${this.prefix} and ${this.size}`);
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
      const i = start / n - (this.#base[k] ?? 0);
      if (level && i >= 0 && i < level.length) return level.at(i);
      // Inside a resumed tree's prefix only its compact range is held; the proofs above never ask for more.
      if (end <= this.prefix || n === 1)
        throw new RangeError(`subtree [${start}, ${end}) is before this tree's prefix`);
    }
    const k = splitPoint(n);
    return nodeHash(this.#hash(start, start + k), this.#hash(start + k, end));
  }
}
