// The local CA: made once, reused, serving cert re-issued by the same CA when
// SANs change or expiry is near. One generated set is shared by the cases
// (RSA key generation is slow on small machines).
import { expect } from 'chai';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLocalTls, type LocalTls } from '../../../src/adapters/tls/local-ca.js';

const DAY = 86_400_000;

describe('local TLS CA', function () {
  this.timeout(60_000);
  const now = new Date('2026-11-23T12:00:00Z');
  let base: string;
  let first: LocalTls;
  const copy = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-tls-case-'));
    cpSync(base, dir, { recursive: true });
    return dir;
  };

  before(async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'gate-tls-unit-'));
    first = await ensureLocalTls({ dir: base, extraSans: ['gate.example.com'], now });
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  it('issues a serving cert for localhost, 127.0.0.1, ::1 and the extra names, signed by the CA', () => {
    const cert = new X509Certificate(first.cert);
    const ca = new X509Certificate(first.ca);
    expect(cert.subjectAltName).to.equal(
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:gate.example.com',
    );
    expect(cert.verify(ca.publicKey)).to.equal(true);
    expect(cert.ca).to.equal(false);
    expect(ca.ca).to.equal(true);
    expect(cert.checkHost('localhost')).to.equal('localhost');
    expect(cert.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(first.notAfter.getTime()).to.be.greaterThan(now.getTime() + 300 * DAY);
  });

  it('keeps private keys private (0600)', () => {
    expect(statSync(path.join(base, 'tls.key')).mode & 0o777).to.equal(0o600);
    expect(statSync(path.join(base, 'ca.key')).mode & 0o777).to.equal(0o600);
  });

  it('reuses everything on restart', async () => {
    const again = await ensureLocalTls({
      dir: base,
      extraSans: ['gate.example.com'],
      now: new Date(now.getTime() + DAY),
    });
    expect(again.cert).to.equal(first.cert);
    expect(again.key).to.equal(first.key);
  });

  it('re-issues the serving cert from the same CA when the SANs change', async () => {
    const dir = copy();
    const next = await ensureLocalTls({ dir, extraSans: [], now });
    expect(next.cert).not.to.equal(first.cert);
    expect(next.ca).to.equal(first.ca);
    expect(new X509Certificate(next.cert).subjectAltName).not.to.contain('gate.example.com');
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-issues the serving cert when it expires within 30 days', async () => {
    const dir = copy();
    const later = new Date(first.notAfter.getTime() - 20 * DAY);
    const next = await ensureLocalTls({ dir, extraSans: ['gate.example.com'], now: later });
    expect(next.cert).not.to.equal(first.cert);
    expect(next.ca).to.equal(first.ca);
    expect(next.notAfter.getTime()).to.be.greaterThan(later.getTime() + 300 * DAY);
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces a serving key that no longer matches its cert', async () => {
    const dir = copy();
    writeFileSync(path.join(dir, 'tls.key'), readFileSync(path.join(dir, 'ca.key'), 'utf8'));
    const next = await ensureLocalTls({ dir, extraSans: ['gate.example.com'], now });
    expect(next.cert).not.to.equal(first.cert);
    expect(new X509Certificate(next.cert).checkPrivateKey(createPrivateKey(next.key))).to.equal(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
