// GATE_API_TLS=true: the api port speaks TLS (>= 1.2) with the webhook's
// serving certificate, sends HSTS, and refuses plain HTTP.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { startGate, type RunningGate } from '../support/gate-harness.js';

function get(
  port: number,
  ca: string,
  p: string,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: p, ca }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      })
      .on('error', reject);
  });
}

describe('api port over TLS (GATE_API_TLS=true)', function () {
  this.timeout(60_000);
  let gate: RunningGate;
  before(async () => {
    gate = await startGate({ GATE_API_TLS: 'true' });
  });
  after(async () => {
    await gate.stop();
  });

  it('serves verified HTTPS with HSTS and refuses plain HTTP', async () => {
    const port = Number(new URL(gate.url).port);
    const ca = readFileSync(path.join(gate.dataDir, 'tls', 'ca.crt'), 'utf8');
    const res = await get(port, ca, '/healthz');
    expect(res.status).to.equal(200);
    expect(String(res.headers['strict-transport-security'])).to.contain('max-age');
    const plain = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).to.not.equal(200);
  });
});
