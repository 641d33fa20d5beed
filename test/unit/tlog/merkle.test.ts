// The Merkle core against RFC 6962's test vectors (the leaves and roots
// Certificate Transparency's reference code tests with), the RFC's
// recursive definition, and attacks on the proof verifiers.
import { expect } from 'chai';
import { CompactRange } from '../../../src/core/tlog/compact-range.js';
import { MerkleTree } from '../../../src/core/tlog/merkle-tree.js';
import { verifyConsistency, verifyInclusion } from '../../../src/core/tlog/proof-verify.js';
import { EMPTY_ROOT, leafHash, referenceRoot } from '../../../src/core/tlog/rfc6962.js';

const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const hex = (bs: Buffer[]) => bs.map((b) => b.toString('hex'));
const tree8 = () => {
  const t = new MerkleTree();
  for (const l of LEAVES) t.append(leafHash(l));
  return t;
};

describe('tlog: RFC 6962 Merkle tree', () => {
  it('hashes the empty tree as SHA-256 of nothing, and every prefix of the test vector to its published root', () => {
    expect(EMPTY_ROOT.toString('hex')).to.equal(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const t = new MerkleTree();
    const range = new CompactRange();
    expect(t.root().equals(EMPTY_ROOT)).to.equal(true);
    LEAVES.forEach((l, i) => {
      t.append(leafHash(l));
      range.append(leafHash(l));
      expect(t.root().toString('hex'), `size ${i + 1}`).to.equal(ROOTS[i]);
      expect(range.root().toString('hex'), `compact range, size ${i + 1}`).to.equal(ROOTS[i]);
    });
    // Earlier sizes stay answerable after the tree grew.
    ROOTS.forEach((r, i) => expect(t.root(i + 1).toString('hex')).to.equal(r));
  });

  it('produces the published inclusion proofs', () => {
    const t = tree8();
    expect(hex(t.inclusionProof(0, 8))).to.deep.equal([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(hex(t.inclusionProof(5, 8))).to.deep.equal([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(hex(t.inclusionProof(2, 3))).to.deep.equal([
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    ]);
    expect(hex(t.inclusionProof(1, 5))).to.deep.equal([
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ]);
    expect(t.inclusionProof(0, 1)).to.deep.equal([]);
  });

  it('produces the published consistency proofs', () => {
    const t = tree8();
    expect(t.consistencyProof(1, 1)).to.deep.equal([]);
    expect(hex(t.consistencyProof(1, 8))).to.deep.equal([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(hex(t.consistencyProof(6, 8))).to.deep.equal([
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(hex(t.consistencyProof(2, 5))).to.deep.equal([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ]);
  });

  it('agrees with the recursive definition and verifies every proof of every size up to 70', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    const t = new MerkleTree();
    for (const l of leaves) t.append(l);
    for (let n = 1; n <= 70; n++) {
      const root = referenceRoot(leaves.slice(0, n));
      expect(t.root(n).equals(root), `root ${n}`).to.equal(true);
      for (let i = 0; i < n; i++)
        expect(
          verifyInclusion(i, n, leaves[i]!, t.inclusionProof(i, n), root),
          `inclusion ${i}/${n}`,
        ).to.equal(true);
      for (let m = 0; m <= n; m++)
        expect(
          verifyConsistency(m, n, t.consistencyProof(m, n), t.root(m), root),
          `consistency ${m}/${n}`,
        ).to.equal(true);
    }
  });

  it('refuses proofs that were tampered with, moved, shortened or padded', () => {
    const t = tree8();
    const root = t.root();
    const leaf = leafHash(LEAVES[5]!);
    const proof = t.inclusionProof(5, 8);
    expect(verifyInclusion(5, 8, leaf, proof, root)).to.equal(true);
    expect(verifyInclusion(4, 8, leaf, proof, root), 'another index').to.equal(false);
    expect(verifyInclusion(5, 6, leaf, proof, root), 'another size').to.equal(false);
    expect(verifyInclusion(5, 8, leafHash(LEAVES[4]!), proof, root), 'another leaf').to.equal(false);
    expect(verifyInclusion(5, 8, leaf, proof.slice(0, 2), root), 'shortened').to.equal(false);
    expect(verifyInclusion(5, 8, leaf, [...proof, proof[0]!], root), 'padded').to.equal(false);
    const flipped = proof.map((h) => Buffer.from(h));
    flipped[1]![0] = flipped[1]![0]! ^ 1;
    expect(verifyInclusion(5, 8, leaf, flipped, root), 'a flipped bit').to.equal(false);
    expect(verifyInclusion(8, 8, leaf, proof, root), 'index past the end').to.equal(false);
    // A leaf is never an interior node: the node hash of two leaves is not a leaf of the parent level.
    const c = t.consistencyProof(6, 8);
    expect(verifyConsistency(6, 8, c, t.root(6), root)).to.equal(true);
    expect(verifyConsistency(6, 8, c, t.root(5), root), 'another old root').to.equal(false);
    expect(verifyConsistency(5, 8, c, t.root(6), root), 'another old size').to.equal(false);
    expect(verifyConsistency(6, 8, c.slice(1), t.root(6), root), 'shortened').to.equal(false);
    expect(verifyConsistency(6, 8, [], t.root(6), root), 'empty').to.equal(false);
    expect(verifyConsistency(8, 8, [], t.root(7), root), 'equal sizes, other roots').to.equal(false);
    expect(verifyConsistency(8, 6, [], root, t.root(6)), 'shrinking').to.equal(false);
  });

  it('refuses sizes and indexes outside the tree', () => {
    const t = tree8();
    expect(() => t.root(9)).to.throw(RangeError);
    expect(() => t.inclusionProof(8, 8)).to.throw(RangeError);
    expect(() => t.consistencyProof(5, 4)).to.throw(RangeError);
    expect(() => t.inclusionProof(-1, 8)).to.throw(RangeError);
  });
});

describe('tlog: verifier keys', () => {
  it('round-trips keys whose base64 holds "+" and refuses a key id that does not match', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { encodeVerifierKey, parseVerifierKey, verifierFor } =
      await import('../../../src/core/tlog/signed-note.js');
    let plus = 0;
    for (let i = 0; i < 40; i++) {
      const v = verifierFor('migration-gate/c', generateKeyPairSync('ed25519').publicKey);
      const vkey = encodeVerifierKey(v);
      if (vkey.split('+').length > 3) plus += 1;
      expect(parseVerifierKey(vkey).raw.equals(v.raw)).to.equal(true);
      const wrongId = vkey.replace(
        /\+([0-9a-f]{8})\+/,
        (_m, id: string) => `+${id === '00000000' ? '11111111' : '00000000'}+`,
      );
      expect(() => parseVerifierKey(wrongId)).to.throw(/key id does not match/);
    }
    expect(plus, 'some of 40 random keys hold a "+"').to.be.greaterThan(0);
  });
});
