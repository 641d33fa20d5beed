// The webhook's key pair by TLS mode. `local`: a generated CA (local-ca.ts).
// `certManager` / `existingSecret`: tls.crt + tls.key mounted in GATE_TLS_DIR
// (loaded at start; watching and hot reload come with selfManaged).
// `selfManaged` needs the in-cluster Kubernetes adapter (Lease, Secret,
// caBundle), which this build does not include yet: refuse to start rather
// than serve with a certificate the apiserver was never told about.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GateError } from '../../core/errors.js';
import type { Logger } from '../../core/ports.js';
import { ensureLocalTls } from './local-ca.js';

export interface WebhookTlsSettings {
  tlsMode: 'local' | 'selfManaged' | 'certManager' | 'existingSecret';
  tlsDir?: string;
  dataDir: string;
  tlsExtraSans: readonly string[];
}

export interface WebhookTls {
  key: string;
  cert: string;
  notAfter: Date;
}

export async function loadWebhookTls(s: WebhookTlsSettings, now: Date, logger: Logger): Promise<WebhookTls> {
  switch (s.tlsMode) {
    case 'local':
      return ensureLocalTls({ dir: s.tlsDir ?? path.join(s.dataDir, 'tls'), extraSans: s.tlsExtraSans, now, logger });
    case 'certManager':
    case 'existingSecret':
      return loadMounted(s);
    case 'selfManaged':
      throw new GateError('config-invalid', 'GATE_TLS_MODE=selfManaged needs the in-cluster Kubernetes adapter, which this build does not include yet; use local, certManager or existingSecret');
  }
}

async function loadMounted(s: WebhookTlsSettings): Promise<WebhookTls> {
  if (!s.tlsDir) throw new GateError('config-invalid', `GATE_TLS_MODE=${s.tlsMode} needs GATE_TLS_DIR (the mounted tls.crt and tls.key)`);
  try {
    const cert = await readFile(path.join(s.tlsDir, 'tls.crt'), 'utf8');
    const key = await readFile(path.join(s.tlsDir, 'tls.key'), 'utf8');
    return { key, cert, notAfter: new Date(new X509Certificate(cert).validTo) };
  } catch (e) {
    throw new GateError('config-invalid', `GATE_TLS_DIR: cannot load tls.crt/tls.key from ${s.tlsDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
