// RFC 8785 (JCS) canonical JSON: what every audit hash and memo key rests on.
// A change of output for the same value would break the verification of every
// record already written, so the exact text is pinned here.
import { expect } from 'chai';
import fc from 'fast-check';
import { canonicalJson } from '../../../src/core/hashing.js';

/** The straightforward spelling of JCS, to check the fast one against. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => reference(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

describe('canonicalJson (RFC 8785)', () => {
  it('orders keys by UTF-16 code units, integer-like keys included', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
      '10': 'Ten',
      '9': 'Nine',
      a: 1,
      A: 2,
    };
    expect(canonicalJson(value)).to.equal(
      '{"\\r":"Carriage Return","1":"One","10":"Ten","9":"Nine","A":2,"a":1,"\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes numbers as ECMAScript does, drops undefined members, nulls undefined array items', () => {
    expect(
      canonicalJson({ n: [1e21, 0.1, -0, 1e-7, 333333333.3333333], u: undefined, a: [undefined, true] }),
    ).to.equal('{"a":[null,true],"n":[1e+21,0.1,0,1e-7,333333333.3333333]}');
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ x: Number.NaN })).to.throw(TypeError);
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).to.throw(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).to.throw(TypeError);
    expect(() => canonicalJson(10n)).to.throw(TypeError);
  });

  it('agrees with the reference spelling on generated JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => canonicalJson(v) === reference(v)),
      { numRuns: 300 },
    );
  });
});
