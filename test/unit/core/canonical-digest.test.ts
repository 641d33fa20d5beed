// The two shortcuts to canonical forms: canonicalFromMembers (an audit
// record's chain hash and Merkle leaf share one serialization) must give
// exactly canonicalJson, and canonicalDigest (judged content) must be the
// same for the same value in any key order and differ for any two values.
import { expect } from 'chai';
import fc from 'fast-check';
import { createHash, type Hash } from 'node:crypto';
import {
  auditableReport,
  chainBatch,
  chainedRecordText,
  GENESIS_HEAD,
  recordHash,
} from '../../../src/core/audit-record.js';
import {
  canonicalDigest,
  canonicalFromMembers,
  canonicalJson,
  canonicalMembers,
} from '../../../src/core/hashing.js';
import { recordLeafBytes } from '../../../src/core/tlog/audit-leaf.js';
import { report } from '../audit/report-fixture.js';

const jsonValue = fc.jsonValue({ maxDepth: 4 }).filter((v) => !Object.is(v, -0));
const object = fc.dictionary(fc.string({ unit: 'binary' }), jsonValue, { maxKeys: 8 });

function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, seed));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const order = entries.map((e, i) => [e, (i * 7919 + seed) % (entries.length + 3)] as const);
  order.sort((a, b) => a[1] - b[1]);
  return Object.fromEntries(order.map(([[k, v]]) => [k, shuffled(v, seed + 1)]));
}

describe('canonical members: one serialization, two canonical texts', () => {
  it('equals canonicalJson of the object, and of the object with one more key', () => {
    fc.assert(
      fc.property(object, fc.string({ unit: 'binary' }), jsonValue, (o, key, extra) => {
        fc.pre(!(key in o));
        const m = canonicalMembers(o);
        expect(canonicalFromMembers(m)).to.equal(canonicalJson(o));
        expect(canonicalFromMembers(m, [key, extra])).to.equal(canonicalJson({ ...o, [key]: extra }));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a key the object already has', () => {
    expect(() => canonicalFromMembers(canonicalMembers({ hash: 1 }), ['hash', 2])).to.throw(/already has/);
  });

  it("a chained record's kept text is its canonical JSON, and its leaf is over it", () => {
    const { records } = chainBatch([report(1), report(2)].map(auditableReport), 'pod-a', GENESIS_HEAD);
    for (const r of records) {
      expect(chainedRecordText(r)).to.equal(canonicalJson(r));
      expect(recordLeafBytes(r as unknown as Record<string, unknown>).toString('utf8')).to.equal(
        canonicalJson(JSON.parse(JSON.stringify(r))),
      );
      const { hash, ...rest } = r;
      expect(hash).to.equal(recordHash(rest));
    }
    // Any other object (a record read back from a store) is serialized afresh.
    expect(chainedRecordText(JSON.parse(JSON.stringify(records[0])))).to.equal(undefined);
  });
});

describe('canonicalDigest', () => {
  it('is the same in any key order', () => {
    fc.assert(
      fc.property(jsonValue, fc.nat(), (v, seed) => {
        expect(canonicalDigest(shuffled(v, seed))).to.equal(canonicalDigest(v));
      }),
      { numRuns: 300 },
    );
  });

  it('differs wherever canonicalJson differs', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(canonicalDigest(a)).to.not.equal(canonicalDigest(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps apart the values a lazy encoding would merge', () => {
    const pairs: [unknown, unknown][] = [
      ['1', 1],
      [['ab'], ['a', 'b']],
      [{ a: 'b' }, ['a', 'b']],
      [{ ab: '' }, { a: 'b' }],
      ['\ud800', '\ufffd'],
      ['\ud800x', '\ufffdx'],
      [null, 'n'],
      [true, 't'],
      [{ a: undefined }, {}],
    ];
    for (const [a, b] of pairs) {
      const same = canonicalJson(a) === canonicalJson(b);
      expect(
        canonicalDigest(a) === canonicalDigest(b),
        `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      ).to.equal(same);
    }
  });

  it('is the digest the streaming encoding (one Hash update per token, the form before one-shot hashing) gives, lone surrogates and non-ASCII included', () => {
    // The reference: the encoding fed token by token, as canonicalDigest did before it hashed one string.
    const feed = (h: Hash, v: unknown): void => {
      if (v === null) h.update('n');
      else if (typeof v === 'boolean') h.update(v ? 't' : 'f');
      else if (typeof v === 'string') {
        if (v.isWellFormed()) h.update(`s${Buffer.byteLength(v)}:`).update(v);
        else h.update(`S${JSON.stringify(v)}`);
      } else if (typeof v === 'number') h.update(`d${JSON.stringify(v)};`);
      else if (Array.isArray(v)) {
        h.update(`a${v.length}:`);
        for (const x of v) feed(h, x === undefined ? null : x);
      } else {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o)
          .filter((k) => o[k] !== undefined)
          .sort();
        h.update(`o${keys.length}:`);
        for (const k of keys) {
          feed(h, k);
          feed(h, o[k]);
        }
      }
    };
    const streamed = (v: unknown): string => {
      const h = createHash('sha256');
      feed(h, v);
      return h.digest('hex');
    };
    for (const v of ['\ud800', 'a\ud83d\ude00b', 'é\u0000', { data: { 'app.yaml': 'k: v\n'.repeat(1000) } }])
      expect(canonicalDigest(v)).to.equal(streamed(v));
    fc.assert(
      fc.property(object, (v) => canonicalDigest(v) === streamed(v)),
      { numRuns: 300 },
    );
  });
});
