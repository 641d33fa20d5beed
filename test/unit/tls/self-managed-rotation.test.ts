// The selfManaged rotation state machine driven through SelfManagedTls with
// fakes of its ports and a manual clock. The property that matters: at every
// moment, the cert a replica serves is trusted by the bundle the apiserver
// has, so a CA rotation never fails an admission.
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { LeaseElector } from '../../../src/adapters/k8s/lease-elector.js';
import { SelfManagedTls } from '../../../src/adapters/tls/self-managed-manager.js';
import { DAY_MS, type RotationPolicy } from '../../../src/adapters/tls/self-managed-plan.js';
import { ANNOTATIONS, SECRET_KEYS, type ServingTls } from '../../../src/core/ports/self-managed-tls.js';
import type { Logger } from '../../../src/core/ports/runtime.js';
import { FakeLeaseStore, FakeSecretStore, FakeWebhookPatcher, ManualClock, pemsOf, trusts } from './fakes.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const SANS = ['migration-gate.gate.svc', 'migration-gate.gate.svc.cluster.local', '127.0.0.1'];

function setup(policy: Partial<RotationPolicy> = {}) {
  const clock = new ManualClock();
  const secrets = new FakeSecretStore();
  const leases = new FakeLeaseStore();
  const webhook = new FakeWebhookPatcher();
  const served: ServingTls[] = [];
  const replica = (identity: string) =>
    new SelfManagedTls({
      secrets,
      webhook,
      clock,
      logger: quiet,
      elector: new LeaseElector({ store: leases, identity, clock, leaseDurationMs: 15_000 }),
      policy: {
        caLifetimeMs: 5 * 365 * DAY_MS,
        servingLifetimeMs: 90 * DAY_MS,
        renewFraction: 2 / 3,
        overlapMs: 60_000,
        dropPreviousAfterMs: 300_000,
        sans: SANS,
        ...policy,
      },
      onServing: (t) => served.push(t),
      webhookConfigName: 'migration-gate',
    });
  /** The no-failed-admission invariant, checked after every step. */
  const assertTrusted = (tls: ServingTls | undefined) => {
    expect(tls, 'a serving cert is loaded').to.not.equal(undefined);
    for (const b of webhook.bundles)
      expect(trusts(b, tls!.cert), 'the apiserver trusts what is served').to.equal(true);
  };
  /** Every replica, after its poll, finds the webhook configuration trusting what it serves (webhook-ca ready). */
  const assertReady = async (...replicas: SelfManagedTls[]) => {
    for (const r of replicas) {
      await r.poll();
      expect(r.webhookTrust(), 'webhook-ca').to.deep.include({ ok: true });
    }
  };
  return { clock, secrets, leases, webhook, served, replica, assertTrusted, assertReady };
}

describe('selfManaged TLS rotation', function () {
  this.timeout(60_000);

  it('first start: the leader creates the Secret, injects the CA and serves', async () => {
    const s = setup();
    const leader = s.replica('pod-a');
    expect(await leader.leaderRound()).to.equal('created');
    const data = s.secrets.stored!.data;
    expect(Object.keys(data).sort()).to.deep.equal(
      [SECRET_KEYS.caCert, SECRET_KEYS.caKey, SECRET_KEYS.cert, SECRET_KEYS.key].sort(),
    );
    expect(pemsOf(s.webhook.bundles[0]!)).to.have.length(1);
    expect(s.webhook.bundles[1]).to.equal(s.webhook.bundles[0]);
    const x = new X509Certificate(data[SECRET_KEYS.cert]!);
    expect(x.subjectAltName).to.contain('DNS:migration-gate.gate.svc').and.contain('IP Address:127.0.0.1');
    expect(leader.readiness().ok).to.equal(true);
    s.assertTrusted(leader.current());
    // A steady state writes nothing.
    const writes = s.secrets.writes;
    expect(await leader.leaderRound()).to.equal('none');
    expect(s.secrets.writes).to.equal(writes);
  });

  it('a non-leader is not ready until the Secret exists, then loads it by polling', async () => {
    const s = setup();
    const leader = s.replica('pod-a');
    const follower = s.replica('pod-b');
    await leader.leaderRound();
    expect(await follower.leaderRound(), 'pod-a holds the lease').to.equal(undefined);
    expect(follower.readiness().ok).to.equal(false);
    await follower.poll();
    expect(follower.readiness().ok).to.equal(true);
    expect(follower.current()!.cert).to.equal(leader.current()!.cert);
  });

  it('webhook-ca: a fresh install whose webhook configuration comes late is not ready until the CA is injected', async () => {
    const s = setup();
    s.webhook.missing = true; // helm has not created the ValidatingWebhookConfiguration yet
    const leader = s.replica('pod-a');
    const follower = s.replica('pod-b');
    expect(await leader.leaderRound(), 'the injection fails after the Secret was created').to.equal(
      undefined,
    );
    await leader.poll();
    await follower.poll();
    for (const r of [leader, follower]) {
      expect(r.readiness().ok, 'a serving cert is loaded').to.equal(true);
      const w = r.webhookTrust();
      expect(w.ok, 'but nothing trusts it yet').to.equal(false);
      expect(w.detail).to.match(
        /^validatingwebhookconfiguration migration-gate: .*last read failed: .*not found/,
      );
    }
    s.webhook.missing = false; // created, with no caBundle (the chart never renders one in selfManaged)
    await follower.poll();
    expect(follower.webhookTrust().detail).to.include('no caBundle yet');
    expect(await leader.leaderRound()).to.equal('none');
    expect(leader.webhookTrust().ok, 'the leader re-reads right after its injection').to.equal(true);
    expect(follower.webhookTrust().ok, 'the follower until its next poll').to.equal(false);
    await follower.poll();
    expect(follower.webhookTrust().ok).to.equal(true);
    // Someone resets the bundle: not ready at the next poll, ready again once the leader re-injected.
    s.webhook.bundles = ['', ''];
    await follower.poll();
    expect(follower.webhookTrust().ok).to.equal(false);
    await leader.leaderRound();
    await follower.poll();
    expect(follower.webhookTrust().ok).to.equal(true);
  });

  it('a forced CA rotation: old+new bundle first, serving cert after the overlap, old CA dropped last', async () => {
    const s = setup();
    const leader = s.replica('pod-a');
    const follower = s.replica('pod-b');
    await leader.leaderRound();
    await follower.poll();
    const oldCa = s.secrets.stored!.data[SECRET_KEYS.caCert]!;
    const oldServing = leader.current()!.cert;

    // (1) new CA staged, bundle = new + old, serving cert untouched.
    expect(await leader.rotateNow()).to.equal('ca-staged');
    const staged = s.secrets.stored!.data;
    expect(staged[SECRET_KEYS.caPrevious]).to.equal(oldCa);
    expect(staged[SECRET_KEYS.caCert]).to.not.equal(oldCa);
    expect(staged[SECRET_KEYS.cert]).to.equal(oldServing);
    expect(pemsOf(s.webhook.bundles[0]!)).to.have.length(2);
    await follower.poll();
    s.assertTrusted(leader.current());
    s.assertTrusted(follower.current());
    await s.assertReady(leader, follower);

    // (2) inside the overlap nothing moves.
    s.clock.advance(30_000);
    expect(await leader.leaderRound()).to.equal('waiting-overlap');
    expect(s.secrets.stored!.data[SECRET_KEYS.cert]).to.equal(oldServing);

    // (3) after it: serving cert signed by the new CA; the follower picks it up by polling.
    s.clock.advance(31_000);
    await follower.leaderRound(); // a follower's round must not disturb the leader
    expect(await leader.leaderRound()).to.equal('serving-switched');
    const switched = s.secrets.stored!.data;
    expect(
      new X509Certificate(switched[SECRET_KEYS.cert]!).verify(
        new X509Certificate(switched[SECRET_KEYS.caCert]!).publicKey,
      ),
    ).to.equal(true);
    s.assertTrusted(leader.current());
    s.assertTrusted(follower.current()); // still the old cert: the old CA is still in the bundle
    await follower.poll();
    expect(follower.current()!.cert).to.equal(switched[SECRET_KEYS.cert]);
    s.assertTrusted(follower.current());
    await s.assertReady(leader, follower);

    // (4) later the old CA leaves the bundle.
    s.clock.advance(200_000);
    expect(await leader.leaderRound()).to.equal('waiting-overlap');
    s.clock.advance(100_001);
    expect(await leader.leaderRound()).to.equal('previous-dropped');
    expect(s.secrets.stored!.data[SECRET_KEYS.caPrevious]).to.equal(undefined);
    expect(pemsOf(s.webhook.bundles[0]!)).to.have.length(1);
    expect(s.webhook.bundles[0]).to.not.contain(oldCa.trim());
    s.assertTrusted(leader.current());
    s.assertTrusted(follower.current());
    await s.assertReady(leader, follower);
    expect(await leader.leaderRound()).to.equal('none');
  });

  it('does not rotate while the webhook configuration cannot be patched', async () => {
    const s = setup();
    const leader = s.replica('pod-a');
    await leader.leaderRound();
    s.webhook.failing = true;
    expect(await leader.rotateNow()).to.equal(undefined);
    expect(s.secrets.stored!.data[SECRET_KEYS.caPrevious], 'nothing staged').to.equal(undefined);
    s.webhook.failing = false;
    expect(await leader.leaderRound(), 'the request is remembered').to.equal('ca-staged');
  });

  it('never switches the serving cert before the new bundle has been injected for the whole overlap', async () => {
    const s = setup();
    const leader = s.replica('pod-a');
    await leader.leaderRound();
    // The staging write lands, the injection right after it fails.
    s.webhook.failCalls.add(s.webhook.calls + 2);
    expect(await leader.rotateNow()).to.equal(undefined);
    expect(s.secrets.stored!.data[SECRET_KEYS.caPrevious], 'staged').to.be.a('string');
    expect(pemsOf(s.webhook.bundles[0]!)).to.have.length(1);
    s.assertTrusted(leader.current()); // still the old cert and the old CA
    s.clock.advance(10 * 60_000); // long past the overlap counted from the Secret's timestamp
    expect(await leader.leaderRound(), 'the overlap restarts at the confirmed injection').to.equal(
      'waiting-overlap',
    );
    expect(pemsOf(s.webhook.bundles[0]!)).to.have.length(2);
    s.clock.advance(60_000);
    expect(await leader.leaderRound()).to.equal('serving-switched');
    s.assertTrusted(leader.current());
  });

  it('the rotate-ca annotation starts a rotation and is cleared', async () => {
    const s = setup();
    const leader = s.replica('pod-a');
    await leader.leaderRound();
    s.secrets.stored = {
      ...s.secrets.stored!,
      annotations: { ...s.secrets.stored!.annotations, [ANNOTATIONS.rotateCa]: 'now' },
    };
    expect(await leader.leaderRound()).to.equal('ca-staged');
    expect(s.secrets.stored!.annotations[ANNOTATIONS.rotateCa]).to.equal(undefined);
  });

  it('renews by age: the serving cert at 2/3 of its life, the CA at 2/3 of its life', async () => {
    const s = setup({
      caLifetimeMs: 30 * DAY_MS,
      servingLifetimeMs: 9 * DAY_MS,
      overlapMs: 60_000,
      dropPreviousAfterMs: 120_000,
    });
    const leader = s.replica('pod-a');
    await leader.leaderRound();
    const first = leader.current()!.cert;
    s.clock.advance(5 * DAY_MS);
    expect(await leader.leaderRound()).to.equal('none');
    s.clock.advance(2 * DAY_MS); // 7 of 9(+backdate) days
    expect(await leader.leaderRound()).to.equal('serving-renewed');
    expect(leader.current()!.cert).to.not.equal(first);
    s.assertTrusted(leader.current());
    s.clock.advance(14 * DAY_MS); // day 21 of 30: the CA is due
    expect(await leader.leaderRound()).to.equal('ca-staged');
    s.clock.advance(60_000);
    expect(await leader.leaderRound()).to.equal('serving-switched');
    s.assertTrusted(leader.current());
  });

  it('repairs an unusable Secret and re-issues when the SANs change', async () => {
    const s = setup();
    const leader = s.replica('pod-a');
    await leader.leaderRound();
    s.secrets.stored = {
      ...s.secrets.stored!,
      data: { ...s.secrets.stored!.data, [SECRET_KEYS.key]: 'garbage' },
    };
    expect(await leader.leaderRound()).to.equal('repaired');
    s.assertTrusted(leader.current());
    const other = setup();
    other.secrets.stored = s.secrets.stored;
    const renamed = new SelfManagedTls({
      secrets: other.secrets,
      webhook: other.webhook,
      clock: other.clock,
      logger: quiet,
      elector: new LeaseElector({
        store: other.leases,
        identity: 'pod-a',
        clock: other.clock,
        leaseDurationMs: 15_000,
      }),
      policy: {
        caLifetimeMs: 5 * 365 * DAY_MS,
        servingLifetimeMs: 90 * DAY_MS,
        renewFraction: 2 / 3,
        overlapMs: 60_000,
        dropPreviousAfterMs: 300_000,
        sans: [...SANS, 'gate.example.com'],
      },
      onServing() {},
    });
    expect(await renamed.leaderRound()).to.equal('serving-renewed');
    expect(new X509Certificate(other.secrets.stored!.data[SECRET_KEYS.cert]!).subjectAltName).to.contain(
      'gate.example.com',
    );
  });

  it('a conflicting write is retried on the next round from a fresh read', async () => {
    const s = setup();
    const leader = s.replica('pod-a');
    await leader.leaderRound();
    const { KubeError } = await import('../../../src/core/ports/kube-errors.js');
    s.secrets.failNext = new KubeError('unavailable', 'apiserver hiccup');
    expect(await leader.rotateNow()).to.equal(undefined);
    expect(await leader.leaderRound()).to.equal('ca-staged');
  });
});
