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

const DAY_MS = 86_400_000;
export const CA_LIFETIME_MS = 3650 * DAY_MS;
export const SERVING_LIFETIME_MS = 397 * DAY_MS;

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

function validity(cert: forge.pki.Certificate, now: Date, lifetimeMs: number): void {
  // Backdated (up to an hour) for clock skew across the cluster, never by
  // more than a tenth of the lifetime so that tiny test lifetimes still work.
  cert.validity.notBefore = new Date(now.getTime() - Math.min(3_600_000, Math.floor(lifetimeMs / 10)));
  cert.validity.notAfter = new Date(now.getTime() + lifetimeMs);
}

export async function issueCa(
  now: Date,
  opts: { commonName?: string; lifetimeMs?: number } = {},
): Promise<PemKeyPair> {
  const commonName = opts.commonName ?? 'migration-gate local CA';
  const k = await newRsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(k.publicPem);
  cert.serialNumber = serial();
  validity(cert, now, opts.lifetimeMs ?? CA_LIFETIME_MS);
  const name = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'migration-gate' },
  ];
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

export async function issueServing(
  ca: PemKeyPair,
  sans: readonly string[],
  now: Date,
  lifetimeMs = SERVING_LIFETIME_MS,
): Promise<PemKeyPair> {
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
    {
      name: 'subjectAltName',
      altNames: sans.map((s) => (isIP(s) ? { type: 7, ip: s } : { type: 2, value: s })),
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { key: k.privatePem, cert: forge.pki.certificateToPem(cert) };
}
