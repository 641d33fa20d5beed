// A tree resumed from the compact range of an archived prefix (what the gate
// rebuilds after the archiver moved its oldest segments out) agrees with the
// whole tree on every root, inclusion proof and consistency proof from the
// prefix on, and refuses, by name, anything that would need the prefix's
// inner nodes.
import { expect } from 'chai';
import { CompactRange } from '../../../src/core/tlog/compact-range.js';
import { MerkleTree } from '../../../src/core/tlog/merkle-tree.js';
import { verifyConsistency, verifyInclusion } from '../../../src/core/tlog/proof-verify.js';
import { leafHash } from '../../../src/core/tlog/rfc6962.js';

const leaf = (i: number) => leafHash(Buffer.from(`record ${i}`));
const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));

function whole(n: number): MerkleTree {
  const t = new MerkleTree();
  for (let i = 0; i < n; i++) t.append(leaf(i));
  return t;
}

function resumed(prefix: number, n: number): MerkleTree {
  const range = new CompactRange();
  for (let i = 0; i < prefix; i++) range.append(leaf(i));
  const t = new MerkleTree(prefix, range.hashes());
  for (let i = prefix; i < n; i++) t.append(leaf(i));
  return t;
}

describe('tlog: a Merkle tree resumed after its prefix was archived', () => {
  it('has the whole tree’s root, inclusion and consistency proofs at every size from the prefix on (every prefix up to 40, trees up to 70)', () => {
    const n = 70;
    const full = whole(n);
    for (let p = 0; p <= 40; p++) {
      const t = resumed(p, n);
      expect(t.size).to.equal(n);
      for (let size = Math.max(p, 1); size <= n; size++) {
        expect(t.root(size).equals(full.root(size)), `root ${size} from prefix ${p}`).to.equal(true);
        for (let i = p; i < size; i += 3)
          expect(hex(t.inclusionProof(i, size)), `inclusion ${i}/${size} from ${p}`).to.deep.equal(
            hex(full.inclusionProof(i, size)),
          );
        for (let from = p; from <= size; from += 5)
          expect(hex(t.consistencyProof(from, size)), `consistency ${from}→${size} from ${p}`).to.deep.equal(
            hex(full.consistencyProof(from, size)),
          );
      }
      expect(hex(t.consistencyProof(0, n))).to.deep.equal([]);
    }
  });

  it('its proofs verify against the whole tree’s roots', () => {
    const full = whole(1000);
    const t = resumed(777, 1000);
    for (const i of [777, 800, 999])
      expect(verifyInclusion(i, 1000, leaf(i), t.inclusionProof(i, 1000), full.root(1000))).to.equal(true);
    expect(
      verifyConsistency(777, 1000, t.consistencyProof(777, 1000), full.root(777), full.root(1000)),
    ).to.equal(true);
  });

  it('refuses sizes, leaves and consistency starts before the prefix, and a range of the wrong length', () => {
    const t = resumed(13, 20);
    expect(() => t.root(12)).to.throw(RangeError, /between 13 and 20/);
    expect(() => t.leaf(12)).to.throw(RangeError, /before this tree's prefix/);
    expect(() => t.inclusionProof(12, 20)).to.throw(RangeError, /from leaf 13/);
    expect(() => t.consistencyProof(5, 20)).to.throw(RangeError, /from leaf 13/);
    expect(() => new MerkleTree(13, [leaf(0)])).to.throw(RangeError, /has 3 hashes, not 1/);
    expect(() => new CompactRange(13, [leaf(0)])).to.throw(RangeError, /has 3 hashes, not 1/);
  });

  it('a compact range rebuilt from its hashes continues like the original', () => {
    const a = new CompactRange();
    for (let i = 0; i < 45; i++) a.append(leaf(i));
    const b = new CompactRange(45, a.hashes());
    for (let i = 45; i < 100; i++) {
      a.append(leaf(i));
      b.append(leaf(i));
      expect(b.root().equals(a.root())).to.equal(true);
    }
    expect(b.root().equals(whole(100).root())).to.equal(true);
  });
});
