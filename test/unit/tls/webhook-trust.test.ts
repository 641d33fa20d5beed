// The `webhook-ca` readiness check of selfManaged TLS: untrustedReason (does
// every webhook's caBundle verify the served cert?) attacked with the ways a
// bundle can fail to, and WebhookTrustCheck's cache (fresh answers only, for
// the cert served now, fail closed when reads keep failing, bounded reads).
import { expect } from 'chai';
import { forgeIssuer } from '../../../src/adapters/tls/self-managed-issuer.js';
import { untrustedReason } from '../../../src/adapters/tls/webhook-trust.js';
import { WebhookTrustCheck } from '../../../src/adapters/tls/webhook-trust-check.js';
import { DAY_MS } from '../../../src/adapters/tls/self-managed-plan.js';
import { KubeError } from '../../../src/core/ports/kube-errors.js';
import type { WebhookCaBundle } from '../../../src/core/ports/self-managed-tls.js';
import type { Logger } from '../../../src/core/ports/runtime.js';
import { ManualClock } from './fakes.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const SANS = ['migration-gate.gate.svc'];
const T0 = new Date('2026-01-01T00:00:00Z');

describe('webhook-ca: does the webhook configuration trust the served certificate', function () {
  this.timeout(60_000);
  let ca: { cert: string; key: string };
  let other: { cert: string; key: string };
  let sameNameOther: { cert: string; key: string };
  let serving: string;
  const hooks = (...pems: string[]): WebhookCaBundle[] =>
    pems.map((pem, i) => ({ name: `w${i}.migrationgate.io`, pem }));

  before(async () => {
    ca = await forgeIssuer.issueCa(T0, 365 * DAY_MS);
    other = await forgeIssuer.issueCa(new Date(T0.getTime() + 1000), 365 * DAY_MS);
    // Same subject (the name carries the issue time), another key: a name match alone must not pass.
    sameNameOther = await forgeIssuer.issueCa(T0, 365 * DAY_MS);
    serving = (await forgeIssuer.issueServing(ca, SANS, T0, 90 * DAY_MS)).cert;
  });

  it('every webhook carries the CA that signed it: trusted', () => {
    expect(untrustedReason(hooks(ca.cert, ca.cert), serving, T0)).to.equal(undefined);
  });

  it('a bundle of the new and the old CA (a rotation) trusts a cert of either', () => {
    expect(untrustedReason(hooks(other.cert + ca.cert), serving, T0)).to.equal(undefined);
    expect(untrustedReason(hooks(ca.cert + other.cert), serving, T0)).to.equal(undefined);
  });

  it('no caBundle yet (before the injection): not trusted, naming the webhook', () => {
    expect(untrustedReason(hooks(ca.cert, ''), serving, T0)).to.equal(
      'webhook w1.migrationgate.io: no caBundle yet',
    );
  });

  it('another CA, or one with the same name and another key: not trusted', () => {
    expect(untrustedReason(hooks(other.cert), serving, T0)).to.match(
      /does not verify the serving certificate/,
    );
    expect(untrustedReason(hooks(sameNameOther.cert), serving, T0)).to.match(/does not verify/);
  });

  it('the right CA outside its validity: not trusted', () => {
    const late = new Date(T0.getTime() + 400 * DAY_MS);
    expect(untrustedReason(hooks(ca.cert), serving, late)).to.match(/does not verify/);
  });

  it('the serving cert itself in the bundle (not a CA): not trusted', () => {
    expect(untrustedReason(hooks(serving), serving, T0)).to.match(/does not verify/);
  });

  it('garbage: an unparsable block, a config with no webhooks, a served cert that does not parse', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(untrustedReason(hooks(broken), serving, T0)).to.match(
      /caBundle \(1 certificate\) does not verify/,
    );
    expect(untrustedReason(hooks(broken + ca.cert), serving, T0), 'a good CA after a bad block').to.equal(
      undefined,
    );
    expect(untrustedReason(hooks('not a pem'), serving, T0)).to.match(/no caBundle yet/);
    expect(untrustedReason([], serving, T0)).to.equal('the webhook configuration has no webhooks');
    expect(untrustedReason(hooks(ca.cert), 'junk', T0)).to.equal('the serving certificate does not parse');
  });

  it('several webhooks failing: the first is named and the rest counted', () => {
    expect(untrustedReason(hooks(ca.cert, '', other.cert, ''), serving, T0)).to.equal(
      'webhook w1.migrationgate.io: no caBundle yet (and 2 more webhooks)',
    );
  });

  describe('WebhookTrustCheck (the cached answer readiness reads)', () => {
    const setup = (maxAgeMs = 30_000) => {
      const clock = new ManualClock(T0.getTime());
      const state = { bundles: hooks(ca.cert, ca.cert), fail: false, reads: 0 };
      const check = new WebhookTrustCheck({
        configName: 'migration-gate',
        clock,
        logger: quiet,
        maxAgeMs,
        minIntervalMs: 1000,
        read: async () => {
          state.reads++;
          if (state.fail) throw new KubeError('unavailable', 'apiserver down');
          return state.bundles;
        },
      });
      return { clock, state, check };
    };

    it('not ready before the first read; ready once the read verified the served cert', async () => {
      const { check } = setup();
      const r = check.readiness(serving);
      expect(r.ok).to.equal(false);
      expect(r.detail).to.match(/validatingwebhookconfiguration migration-gate: not yet checked/);
      await check.check(serving);
      expect(check.readiness(serving)).to.deep.equal({
        ok: true,
        detail:
          'validatingwebhookconfiguration migration-gate: its caBundle verifies the serving certificate',
      });
    });

    it('an answer for another certificate (the replica reloaded) does not count', async () => {
      const { check } = setup();
      await check.check(serving);
      const next = (await forgeIssuer.issueServing(other, SANS, T0, 90 * DAY_MS)).cert;
      expect(check.readiness(next).ok).to.equal(false);
      expect(check.readiness(undefined)).to.deep.equal({
        ok: false,
        detail: 'validatingwebhookconfiguration migration-gate: no serving certificate to verify yet',
      });
    });

    it('a bundle reset to empty (someone edited the configuration) is seen at the next read', async () => {
      const { check, state } = setup();
      await check.check(serving);
      state.bundles = hooks(ca.cert, '');
      await check.check(serving);
      const r = check.readiness(serving);
      expect(r.ok).to.equal(false);
      expect(r.detail).to.include('webhook w1.migrationgate.io: no caBundle yet');
    });

    it('failing reads keep the last answer until maxAgeMs, then fail closed; a good read recovers', async () => {
      const { check, state, clock } = setup(30_000);
      await check.check(serving);
      state.fail = true;
      clock.advance(20_000);
      await check.check(serving);
      expect(check.readiness(serving).ok, 'still inside maxAgeMs').to.equal(true);
      clock.advance(11_000);
      const r = check.readiness(serving);
      expect(r.ok).to.equal(false);
      expect(r.detail).to.match(
        /last verified 31 s ago \(more than 30 s\); last read failed: .*apiserver down/,
      );
      await check.check(serving); // the read that readiness ask started, still failing
      state.fail = false;
      await check.check(serving);
      expect(check.readiness(serving).ok).to.equal(true);
    });

    it('a failing first read is not ready (never trusted by default)', async () => {
      const { check, state } = setup();
      state.fail = true;
      await check.check(serving);
      const r = check.readiness(serving);
      expect(r.ok).to.equal(false);
      expect(r.detail).to.match(/not yet checked .*last read failed/);
    });

    it('readiness asks while not ready start at most one read per minIntervalMs; a fresh answer starts none', async () => {
      const { check, state, clock } = setup();
      state.bundles = hooks('');
      for (let i = 0; i < 50; i++) check.readiness(serving);
      await check.check(serving); // joins the read the first ask started
      expect(state.reads).to.equal(1);
      for (let i = 0; i < 50; i++) check.readiness(serving);
      expect(state.reads, 'inside minIntervalMs').to.equal(1);
      clock.advance(1000);
      state.bundles = hooks(ca.cert);
      check.readiness(serving);
      await check.check(serving);
      expect(state.reads).to.equal(2);
      for (let i = 0; i < 50; i++) expect(check.readiness(serving).ok).to.equal(true);
      clock.advance(10_000);
      for (let i = 0; i < 50; i++) check.readiness(serving);
      expect(state.reads, 'ready: asks read nothing').to.equal(2);
    });
  });
});
