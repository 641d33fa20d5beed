// The fast paths that keep the one-meaning checks cheap must not change a
// single verdict: each is checked against the full computation they skip.
import { expect } from 'chai';
import fc from 'fast-check';
import { plainScalarAmbiguity, yaml11Reading, yaml12Reading } from '../../../src/core/yaml-ambiguity.js';
import { canonicalConfig } from '../../../src/core/config-canonical.js';

describe('one-meaning fast paths agree with the full checks', () => {
  it('a plain scalar of 6+ characters starting with a letter is a string to YAML 1.2, YAML 1.1 and Go (underscores dropped)', () => {
    const word = fc
      .tuple(
        fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')),
        fc.string({
          unit: fc.constantFrom(...'aeEfFinNoOrstTuy0123456789_.:+-eE'.split('')),
          minLength: 5,
          maxLength: 12,
        }),
      )
      .map(([a, b]) => a + b);
    fc.assert(
      fc.property(word, (s) => {
        expect(yaml12Reading(s).kind, s).to.equal('str');
        expect(yaml11Reading(s).kind, s).to.equal('str');
        expect(yaml12Reading(s.replace(/_/g, '')).kind, s).to.not.equal('number');
        expect(plainScalarAmbiguity(s), s).to.equal(undefined);
      }),
      { numRuns: 5000 },
    );
  });

  it('short words still take the full check: yes, Off, n, y, oN are refused; False and NULL read alike everywhere', () => {
    for (const s of ['yes', 'Off', 'n', 'y', 'oN'])
      expect(plainScalarAmbiguity(s), s).to.not.equal(undefined);
    for (const s of ['False', 'NULL']) expect(plainScalarAmbiguity(s), s).to.equal(undefined);
  });

  it('a config already spelled canonically is passed through as parsed; one spelled otherwise is copied, never changed in place', () => {
    const plain = { tls: { enabled: true }, ports: [{ port: 8443, host: '10.0.0.1' }], feature_flag_1: 'x' };
    const r = canonicalConfig(plain);
    expect(r.ok && r.config).to.equal(plain);
    const folded = { TLS: { enabled: true }, feature_flag_1: 'x' };
    const f = canonicalConfig(folded);
    expect(f.ok && f.config).to.deep.equal(
      Object.assign(Object.create(null), { tls: { enabled: true }, feature_flag_1: 'x' }),
    );
    expect(Object.keys(folded)).to.deep.equal(['TLS', 'feature_flag_1']);
  });

  it('sibling spellings that meet are still refused after the fast check (flat, folded, empty-folding keys)', () => {
    for (const c of [
      { tls: { enabled: true }, 'tls.enabled': false },
      { secretKey: 'a', SECRET_KEY: 'b' },
      { a: { b: 1 }, 'A.b': 2 },
      { x: { Debug: 1, debug: 2 } },
    ]) {
      expect(canonicalConfig(c as Record<string, unknown>).ok, JSON.stringify(c)).to.equal(false);
    }
    // Keys that fold to nothing are addressable by no binder: passed, by the full walk as before.
    expect(canonicalConfig({ '-': 1, _: 2 }).ok).to.equal(true);
  });
});
