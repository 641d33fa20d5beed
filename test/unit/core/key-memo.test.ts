// The key-fact memo (core/key-memo.ts) changes speed, never an answer: a fact
// is computed once per key text, a secret-looking or long key is never kept,
// and a flood of distinct keys empties the table instead of growing it.
import { expect } from 'chai';
import { memoizeKeyFact } from '../../../src/core/key-memo.js';
import { keyFacts } from '../../../src/core/policy/secret-patterns.js';

function counted(secretLike: (key: string) => boolean = () => false) {
  const calls: string[] = [];
  const f = memoizeKeyFact((key: string) => {
    calls.push(key);
    return key.length % 2 === 0 ? undefined : key.toUpperCase();
  }, secretLike);
  return { f, calls };
}

describe('key-fact memo', () => {
  it('computes a fact once per key text, undefined facts included', () => {
    const { f, calls } = counted();
    expect([f('tls'), f('tls'), f('ab'), f('ab')]).to.deep.equal(['TLS', 'TLS', undefined, undefined]);
    expect(calls).to.deep.equal(['tls', 'ab']);
  });

  it('never keeps a key the caller calls secret-like, nor a long key', () => {
    const { f, calls } = counted((key) => key.startsWith('ghp_'));
    const long = 'k'.repeat(97);
    for (let i = 0; i < 3; i++) {
      f('ghp_abc');
      f(long);
    }
    expect(calls).to.deep.equal(['ghp_abc', long, 'ghp_abc', long, 'ghp_abc', long]);
  });

  it('stays bounded under a flood of distinct keys and still answers right', () => {
    const { f, calls } = counted();
    for (let i = 0; i < 20_000; i++)
      expect(f(`key_${i}x`)).to.equal(`key_${i}x`.length % 2 === 0 ? undefined : `KEY_${i}X`);
    expect(calls.length).to.equal(20_000);
    // The table was emptied on the way: an early key is computed again.
    f('key_0x');
    expect(calls.length).to.equal(20_001);
  });

  it('secret-scan key facts: a key that is itself a token is reported every time', () => {
    const token = `ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`;
    expect(keyFacts(token).tokenKind).to.be.a('string');
    expect(keyFacts(token).tokenKind).to.equal(keyFacts(token).tokenKind);
    expect(keyFacts('dbPassword')).to.deep.include({
      name: 'db_password',
      credentialKind: 'inline password',
    });
    expect(keyFacts('DJANGO_SECRET_KEY')).to.deep.include({ secretKey: true, credentialKind: undefined });
  });
});
