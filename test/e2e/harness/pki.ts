import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOk } from './exec.js';

// Certificates via the openssl CLI: it is on every Debian image, creates EC
// keys in milliseconds (node-forge RSA keygen takes seconds) and writes the
// PEM files kube-apiserver reads directly.

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const DAYS = '2'; // throwaway control planes; short-lived on purpose

export interface CertFiles {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

export async function createCa(dir: string, name: string): Promise<CertFiles> {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await runOk('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    DAYS,
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return load(certPath, keyPath);
}

export interface LeafSpec {
  name: string; // file name stem
  cn: string;
  /** Kubernetes maps O= to groups: `system:masters` makes a cluster admin. */
  org?: string;
  /** IPs and DNS names for a serving cert, e.g. ['127.0.0.1', 'localhost']. */
  hosts?: string[];
  usage: 'server' | 'client';
}

export async function issueCert(dir: string, ca: CertFiles, spec: LeafSpec): Promise<CertFiles> {
  const certPath = join(dir, `${spec.name}.crt`);
  const keyPath = join(dir, `${spec.name}.key`);
  const csrPath = join(dir, `${spec.name}.csr`);
  const extPath = join(dir, `${spec.name}.ext`);
  const ext = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${spec.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
  ];
  if (spec.hosts?.length) {
    const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');
    ext.push(`subjectAltName=${spec.hosts.map((h) => (isIp(h) ? `IP:${h}` : `DNS:${h}`)).join(',')}`);
  }
  await writeFile(extPath, ext.join('\n') + '\n');
  const subj = (spec.org ? `/O=${spec.org}` : '') + `/CN=${spec.cn}`;
  await runOk('openssl', ['req', '-new', ...EC_KEY, '-keyout', keyPath, '-out', csrPath, '-subj', subj]);
  await runOk('openssl', [
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    ca.certPath,
    '-CAkey',
    ca.keyPath,
    '-days',
    DAYS,
    '-extfile',
    extPath,
    '-out',
    certPath,
  ]);
  return load(certPath, keyPath);
}

/** Key pair kube-apiserver signs ServiceAccount tokens with (ES256). */
export async function createSigningKey(
  dir: string,
  name: string,
): Promise<{ keyPath: string; pubPath: string }> {
  const keyPath = join(dir, `${name}.key`);
  const pubPath = join(dir, `${name}.pub`);
  await runOk('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath]);
  await runOk('openssl', ['ec', '-in', keyPath, '-pubout', '-out', pubPath]);
  return { keyPath, pubPath };
}

async function load(certPath: string, keyPath: string): Promise<CertFiles> {
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certPath, keyPath, certPem, keyPem };
}
