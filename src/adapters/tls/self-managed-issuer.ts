// Issues the selfManaged CA and serving certificates with explicit lifetimes
// (issue-certs.ts has the fixed ones of local mode). Lifetimes are in ms so
// tests can use tiny ones. Keys from node:crypto; node-forge builds and signs
// the X.509 structures, which node:crypto cannot do.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { newRsaKey, type PemKeyPair } from './issue-certs.js';

export interface CertIssuer {
  issueCa(now: Date, lifetimeMs: number): Promise<PemKeyPair>;
  issueServing(ca: PemKeyPair, sans: readonly string[], now: Date, lifetimeMs: number): Promise<PemKeyPair>;
}

function serial(): string {
  // Positive (high bit clear), 128 bits of randomness as RFC 5280 recommends.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, now: Date, lifetimeMs: number): void {
  // Backdated (up to an hour) for clock skew across the cluster, never by
  // more than a tenth of the lifetime so that tiny test lifetimes still work.
  cert.validity.notBefore = new Date(now.getTime() - Math.min(3_600_000, Math.floor(lifetimeMs / 10)));
  cert.validity.notAfter = new Date(now.getTime() + lifetimeMs);
}

export const forgeIssuer: CertIssuer = {
  async issueCa(now, lifetimeMs) {
    const k = await newRsaKey();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(k.publicPem);
    cert.serialNumber = serial();
    validity(cert, now, lifetimeMs);
    // The date in the name tells an operator reading a bundle which CA is which.
    const name = [{ name: 'commonName', value: `migration-gate webhook CA ${now.toISOString()}` }, { name: 'organizationName', value: 'migration-gate' }];
    cert.setSubject(name);
    cert.setIssuer(name);
    cert.setExtensions([
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(k.privatePem), forge.md.sha256.create());
    return { key: k.privatePem, cert: forge.pki.certificateToPem(cert) };
  },

  async issueServing(ca, sans, now, lifetimeMs) {
    const k = await newRsaKey();
    const caCert = forge.pki.certificateFromPem(ca.cert);
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(k.publicPem);
    cert.serialNumber = serial();
    validity(cert, now, lifetimeMs);
    cert.setSubject([{ name: 'commonName', value: sans[0] ?? 'migration-gate' }]);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: sans.map((s) => (isIP(s) ? { type: 7, ip: s } : { type: 2, value: s })) },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
    return { key: k.privatePem, cert: forge.pki.certificateToPem(cert) };
  },
};
