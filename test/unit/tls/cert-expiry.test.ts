import { expect } from 'chai';
import { certExpiryAlert, watchCertExpiry } from '../../../src/adapters/tls/self-managed-expiry.js';
import { AlertBook } from '../../../src/services/alerts.js';
import { ManualClock } from './fakes.js';

describe('cert expiry alert', () => {
  const DAY = 86_400_000;
  it('no alert beyond 14 days; high within; critical once expired', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(certExpiryAlert(new Date(now.getTime() + 15 * DAY), now)).to.equal(undefined);
    expect(certExpiryAlert(new Date(now.getTime() + 13 * DAY), now)).to.include({
      kind: 'cert-expiry',
      severity: 'high',
    });
    expect(certExpiryAlert(new Date(now.getTime() - 1), now)).to.include({ severity: 'critical' });
  });

  it('is a standing condition that clears when a fresh cert is loaded', () => {
    const clock = new ManualClock();
    const alerts = new AlertBook();
    let notAfter = new Date(clock.ms + 10 * DAY);
    const w = watchCertExpiry({ notAfter: () => notAfter, alerts, clock });
    try {
      w.check();
      expect(alerts.list().map((a) => a.kind)).to.deep.equal(['cert-expiry']);
      notAfter = new Date(clock.ms + 90 * DAY);
      w.check();
      expect(alerts.list()).to.deep.equal([]);
    } finally {
      w.close();
    }
  });
});
