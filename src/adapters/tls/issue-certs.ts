// Builds the local CA and the serving certificate. Keys come from
// node:crypto (native, fast); node-forge only assembles and signs the X.509
// structures, which node:crypto cannot do.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface PemKeyPair {
  key: string;
  cert: string;
}

export const CA_LIFETIME_DAYS = 3650;
export const SERVING_LIFETIME_DAYS = 397;

export async function newRsaKey(): Promise<{ privatePem: string; publicPem: string }> {
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

function serial(): string {
  // Positive (high bit clear), 128 bits of randomness as RFC 5280 recommends.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, now: Date, days: number): void {
  // Backdated an hour: clocks across a cluster are never quite in step.
  cert.validity.notBefore = new Date(now.getTime() - 3_600_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

export async function issueCa(now: Date, commonName = 'migration-gate local CA'): Promise<PemKeyPair> {
  const k = await newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(k.publicPem);
  cert.serialNumber = serial();
  validity(cert, now, CA_LIFETIME_DAYS);
  const name = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'migration-gate' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(k.privatePem), forge.md.sha256.create());
  return { key: k.privatePem, cert: forge.pki.certificateToPem(cert) };
}

export async function issueServing(ca: PemKeyPair, sans: readonly string[], now: Date): Promise<PemKeyPair> {
  const k = await newRsaKey();
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(k.publicPem);
  cert.serialNumber = serial();
  validity(cert, now, SERVING_LIFETIME_DAYS);
  cert.setSubject([{ name: 'commonName', value: sans[0] ?? 'localhost' }]);
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
}
