// RFC 6962 (2.1) Merkle tree hashing with SHA-256: a leaf is hashed as
// 0x00 || bytes and an interior node as 0x01 || left || right, so a leaf can
// never be passed off as a node. Pure.
import { createHash, hash } from 'node:crypto';

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.of(0);
const NODE_PREFIX = Buffer.of(1);

// One-shot hashes over the concatenation: cheaper than a Hash object per call, and every
// record is a leaf and about one node.
export function leafHash(data: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** The largest power of two strictly below n (n ≥ 2): where RFC 6962 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes, straight from the RFC's definition: the reference the fast paths are tested against. */
export function referenceRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return Buffer.from(leaves[0]!);
  const k = splitPoint(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** Exact for any safe integer (no 32-bit bit tricks). */
export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
