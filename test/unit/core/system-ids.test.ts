// The id generator's pooled randomness: uniform bytes, and ULIDs that stay
// unique and sortable when many are made in the same millisecond.
import { expect } from 'chai';
import { pooledRandom, ulidGenerator } from '../../../src/adapters/system.js';

describe('ids: ULIDs over pooled randomness', () => {
  it('draws values in [0, 1) across several pool refills, covering all 32 ULID characters', () => {
    const next = pooledRandom(64);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = next();
      expect(v).to.be.at.least(0).and.below(1);
      seen.add(Math.floor(v * 32));
    }
    expect(seen.size).to.equal(32);
  });

  it('makes distinct, monotonically increasing ULIDs under a burst', () => {
    const ids = ulidGenerator();
    const made = Array.from({ length: 5000 }, () => ids.next());
    expect(new Set(made).size).to.equal(made.length);
    for (const id of made) expect(id).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...made].sort()).to.deep.equal(made);
  });

  it('two generators do not repeat each other', () => {
    const a = ulidGenerator();
    const b = ulidGenerator();
    const fromA = new Set(Array.from({ length: 1000 }, () => a.next().slice(10)));
    const fromB = Array.from({ length: 1000 }, () => b.next().slice(10));
    expect(fromB.filter((r) => fromA.has(r))).to.deep.equal([]);
  });
});
