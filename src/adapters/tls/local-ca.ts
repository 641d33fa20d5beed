// Local TLS mode: a CA and a serving certificate under <dir> (default
// $GATE_DATA_DIR/tls), made on first start and reused across restarts so
// clients that trust ca.crt keep working. The serving certificate is
// re-issued (by the same CA) when it expires within 30 days, no longer
// matches its key or CA, or its SANs differ from the configured set; the CA
// is only replaced when it is itself near expiry or unreadable.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { Logger } from '../../core/ports/runtime.js';
import { issueCa, issueServing, type PemKeyPair } from './issue-certs.js';

export const DEFAULT_SANS = ['localhost', '127.0.0.1', '::1'] as const;
export const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface LocalTls {
  key: string;
  cert: string;
  ca: string;
  notAfter: Date;
  /** Where ca.crt lives, for the log line telling users what to trust. */
  caPath: string;
}

export interface LocalTlsOptions {
  dir: string;
  extraSans?: readonly string[];
  now: Date;
  logger?: Logger;
}

export async function ensureLocalTls(opts: LocalTlsOptions): Promise<LocalTls> {
  const sans = wantedSans(opts.extraSans ?? []);
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const files = {
    caCert: path.join(opts.dir, 'ca.crt'),
    caKey: path.join(opts.dir, 'ca.key'),
    cert: path.join(opts.dir, 'tls.crt'),
    key: path.join(opts.dir, 'tls.key'),
  };
  let ca = await readPair(files.caCert, files.caKey);
  if (!ca || !usableCa(ca, opts.now)) {
    ca = await issueCa(opts.now);
    await writePair(files.caCert, files.caKey, ca);
    opts.logger?.info('generated a local TLS CA', { ca: files.caCert });
  }
  let serving = await readPair(files.cert, files.key);
  if (!serving || !usableServing(serving, ca, sans, opts.now)) {
    serving = await issueServing(ca, sans, opts.now);
    await writePair(files.cert, files.key, serving);
    opts.logger?.info('issued the webhook serving certificate', { sans, ca: files.caCert });
  }
  return {
    key: serving.key,
    cert: serving.cert,
    ca: ca.cert,
    notAfter: new Date(new X509Certificate(serving.cert).validTo),
    caPath: files.caCert,
  };
}

function wantedSans(extra: readonly string[]): string[] {
  const all = [...DEFAULT_SANS, ...extra]
    .map((s) => s.trim())
    .filter(Boolean)
    .map(normaliseSan);
  return [...new Set(all)];
}

/** IPs compared in one spelling (`0:0:0:0:0:0:0:1` == `::1`); DNS names case-insensitively. */
function normaliseSan(s: string): string {
  if (isIP(s) === 6) return new URL(`http://[${s}]/`).hostname.slice(1, -1);
  return isIP(s) === 4 ? s : s.toLowerCase();
}

function sansOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf(':');
      return normaliseSan(entry.slice(at + 1));
    });
}

function usableCa(ca: PemKeyPair, now: Date): boolean {
  try {
    const x = new X509Certificate(ca.cert);
    return (
      x.ca &&
      new Date(x.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS &&
      x.checkPrivateKey(createPrivateKey(ca.key))
    );
  } catch {
    return false;
  }
}

function usableServing(serving: PemKeyPair, ca: PemKeyPair, sans: readonly string[], now: Date): boolean {
  try {
    const x = new X509Certificate(serving.cert);
    const have = sansOf(x);
    return (
      new Date(x.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS &&
      x.verify(new X509Certificate(ca.cert).publicKey) &&
      x.checkPrivateKey(createPrivateKey(serving.key)) &&
      have.length === sans.length &&
      sans.every((s) => have.includes(s))
    );
  } catch {
    return false;
  }
}

async function readPair(certPath: string, keyPath: string): Promise<PemKeyPair | undefined> {
  try {
    return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Key first, each file written aside and renamed: a crash never leaves a cert without its key. */
async function writePair(certPath: string, keyPath: string, pair: PemKeyPair): Promise<void> {
  await atomicWrite(keyPath, pair.key, 0o600);
  await atomicWrite(certPath, pair.cert, 0o644);
}

async function atomicWrite(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode, flag: 'w' });
  await rename(tmp, file);
}
