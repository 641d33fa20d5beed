// A growable array of 32-byte hashes in one buffer: a million leaves are
// 32 MB in one allocation instead of a million Buffer objects.
import { HASH_SIZE } from './rfc6962.js';

export class HashArray {
  #buf = Buffer.alloc(HASH_SIZE * 16);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(hash: Uint8Array): void {
    if ((this.#length + 1) * HASH_SIZE > this.#buf.length) {
      const bigger = Buffer.alloc(this.#buf.length * 2);
      this.#buf.copy(bigger, 0, 0, this.#length * HASH_SIZE);
      this.#buf = bigger;
    }
    this.#buf.set(hash, this.#length * HASH_SIZE);
    this.#length += 1;
  }

  /** A copy: the buffer is reallocated as it grows. */
  at(i: number): Buffer {
    if (!Number.isSafeInteger(i) || i < 0 || i >= this.#length)
      throw new RangeError(`hash index ${i} outside 0..${this.#length - 1}`);
    return Buffer.from(this.#buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
}
