// tokenReviewVerifier (adapters/http/token-review.ts) against a fake
// TokenReviewer (the core/ports/token-review.ts port).
import { expect } from 'chai';
import { tokenReviewVerifier } from '../../../src/adapters/http/token-review.js';
import { KubeError } from '../../../src/core/ports/kube-errors.js';
import type { TokenReviewer, TokenReviewResult } from '../../../src/core/ports/token-review.js';

class FakeReviewer implements TokenReviewer {
  readonly seen: string[] = [];
  down = false;
  constructor(private readonly known: Record<string, { username: string; groups: string[] }>) {}
  async review(token: string): Promise<TokenReviewResult> {
    this.seen.push(token);
    await new Promise((r) => setTimeout(r, 1));
    if (this.down) throw new KubeError('unavailable', 'connect ECONNREFUSED');
    const u = this.known[token];
    return u
      ? { authenticated: true, ...u }
      : { authenticated: false, groups: [], error: 'invalid bearer token' };
  }
}

describe('TokenReview verifier', () => {
  let clock = 0;
  const now = () => clock;
  let reviewer: FakeReviewer;
  beforeEach(() => {
    clock = 1_000_000;
    reviewer = new FakeReviewer({
      'tok-deployer': {
        username: 'system:serviceaccount:ci:deployer',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:ci'],
      },
      'tok-other': {
        username: 'system:serviceaccount:web:frontend',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:web'],
      },
      'tok-alice': { username: 'alice', groups: ['devs'] },
    });
  });

  it('returns the username of an allowed user or group member, undefined otherwise', async () => {
    const v = tokenReviewVerifier(reviewer, {
      allowedUsers: ['alice'],
      allowedGroups: ['system:serviceaccounts:ci'],
      cacheSeconds: 30,
      now,
    });
    expect(await v.verify('tok-alice')).to.equal('alice');
    expect(await v.verify('tok-deployer')).to.equal('system:serviceaccount:ci:deployer');
    expect(await v.verify('tok-other')).to.equal(undefined);
    expect(await v.verify('garbage')).to.equal(undefined);
  });

  it('without allow-lists accepts any authenticated identity', async () => {
    const v = tokenReviewVerifier(reviewer, { cacheSeconds: 30, now });
    expect(await v.verify('tok-other')).to.equal('system:serviceaccount:web:frontend');
    expect(await v.verify('garbage')).to.equal(undefined);
  });

  it('caches an accepted token for cacheSeconds, then asks again', async () => {
    const v = tokenReviewVerifier(reviewer, { allowedUsers: ['alice'], cacheSeconds: 30, now });
    await v.verify('tok-alice');
    clock += 29_000;
    await v.verify('tok-alice');
    expect(reviewer.seen).to.have.length(1);
    clock += 2_000;
    await v.verify('tok-alice');
    expect(reviewer.seen).to.have.length(2);
  });

  it('caches refusals for at most 2 s', async () => {
    const v = tokenReviewVerifier(reviewer, { allowedUsers: ['alice'], cacheSeconds: 300, now });
    await v.verify('garbage');
    await v.verify('garbage');
    expect(reviewer.seen).to.have.length(1);
    clock += 2_001;
    await v.verify('garbage');
    expect(reviewer.seen).to.have.length(2);
  });

  it('shares one review among concurrent requests with the same token', async () => {
    const v = tokenReviewVerifier(reviewer, { allowedUsers: ['alice'], cacheSeconds: 30, now });
    const who = await Promise.all(Array.from({ length: 10 }, () => v.verify('tok-alice')));
    expect(new Set(who)).to.deep.equal(new Set(['alice']));
    expect(reviewer.seen).to.have.length(1);
  });

  it('refuses (fails closed) and does not cache while the apiserver cannot answer', async () => {
    const v = tokenReviewVerifier(reviewer, { allowedUsers: ['alice'], cacheSeconds: 30, now });
    reviewer.down = true;
    expect(await v.verify('tok-alice')).to.equal(undefined);
    reviewer.down = false;
    expect(await v.verify('tok-alice')).to.equal('alice');
  });

  it('bounds the cache: the oldest entry is evicted', async () => {
    const v = tokenReviewVerifier(reviewer, {
      allowedUsers: ['alice'],
      cacheSeconds: 30,
      now,
      maxEntries: 2,
    });
    await v.verify('tok-alice');
    await v.verify('tok-deployer');
    await v.verify('tok-other');
    await v.verify('tok-alice');
    expect(reviewer.seen.filter((t) => t === 'tok-alice')).to.have.length(2);
  });
});
