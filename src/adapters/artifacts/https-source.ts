// https:// artifacts from allow-listed hosts only, with a size cap and a time
// limit. Certificates are verified (never disabled); credentials in the URL
// are refused so they cannot leak into reports.
import https from 'node:https';
import tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { GateError } from '../../core/errors.js';
import type { ByteSource } from '../../core/ports/artifacts.js';

export interface HttpsLimits {
  hosts: readonly string[];
  maxBytes: number;
  timeoutMs: number;
  ca?: string | Buffer;
}

export async function openHttpsArtifact(
  url: URL,
  limits: HttpsLimits,
  signal?: AbortSignal,
): Promise<ByteSource> {
  if (url.username || url.password)
    throw new GateError('bad-request', 'artifact URLs must not carry credentials');
  if (!limits.hosts.includes(url.host) && !limits.hosts.includes(url.hostname)) {
    throw new GateError('forbidden', `artifact host ${url.hostname} is not in GATE_ARTIFACT_HOSTS`);
  }
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    // An extra CA adds to the system roots; it does not replace them.
    const ca = limits.ca ? [...tls.rootCertificates, limits.ca] : undefined;
    const req = https.get(
      url,
      { timeout: limits.timeoutMs, ...(ca ? { ca } : {}), ...(signal ? { signal } : {}) },
      resolve,
    );
    req.on('timeout', () =>
      req.destroy(new GateError('timeout', `artifact ${url.hostname}${url.pathname} timed out`)),
    );
    req.on('error', (e) =>
      reject(
        e instanceof GateError
          ? e
          : new GateError(
              'artifact-unavailable',
              `cannot fetch ${url.hostname}${url.pathname}: ${e.message}`,
            ),
      ),
    );
  });
  if (res.statusCode !== 200) {
    res.resume();
    throw new GateError(
      'artifact-unavailable',
      `artifact ${url.hostname}${url.pathname} answered HTTP ${res.statusCode}`,
    );
  }
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > limits.maxBytes) {
    res.destroy();
    throw new GateError(
      'payload-too-large',
      `artifact ${url.pathname} is ${declared} bytes; the limit is ${limits.maxBytes}`,
    );
  }
  let seen = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      cb(
        seen > limits.maxBytes
          ? new GateError('payload-too-large', `artifact ${url.pathname} exceeds ${limits.maxBytes} bytes`)
          : null,
        chunk,
      );
    },
  });
  res.on('error', (e) => capped.destroy(e));
  res.pipe(capped);
  return {
    stream: capped,
    ...(Number.isFinite(declared) ? { size: declared } : {}),
    name: `${url.hostname}${url.pathname}`,
  };
}
