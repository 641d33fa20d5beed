// SIGTERM on the real process (src/main.ts) with GATE_SHUTDOWN_DRAIN_SECONDS:
// the gate keeps answering while its endpoint is withdrawn (readiness 503),
// and it never closes an idle keep-alive connection under a client: each
// answer during the drain says `Connection: close`, so the client closes.
// Without this, a node drain failed an admission with "write: broken pipe"
// (the apiserver wrote into a connection the pod had just closed). For the
// same reason the webhook port keeps idle connections longer than the
// apiserver does, so that the client is the side that closes them.
import { expect } from 'chai';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { configMapReview } from '../bench/admission.bench.js';
import { spawnGate, type GateProcess } from '../support/gate-process.js';

const TOKEN = 'shutdown-drain-token-0123456789';

interface Answer {
  status: number;
  connection: string | undefined;
  reusedSocket: boolean;
  allowed: boolean;
}

function review(agent: https.Agent, port: number, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/validate?timeout=10s',
        method: 'POST',
        agent,
        servername: 'localhost',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            response: { allowed: boolean };
          };
          resolve({
            status: res.statusCode ?? 0,
            connection: res.headers.connection,
            reusedSocket: req.reusedSocket,
            allowed: parsed.response.allowed,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function waitForLog(gate: GateProcess, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 800; i++) {
    if (gate.logs.some((l) => pattern.test(l))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no log line matching ${pattern}:\n${gate.logs.join('\n')}`);
}

describe('webhook connections: keep-alive and the shutdown drain (the real process)', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-drain-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps answering on the kept-alive connection while not ready, each answer closing it, then exits 0', async () => {
    const gate = await spawnGate({
      GATE_DATA_DIR: dataDir,
      GATE_API_TOKEN: TOKEN,
      GATE_SHUTDOWN_DRAIN_SECONDS: '3',
    });
    try {
      const ca = readFileSync(path.join(dataDir, 'tls', 'ca.crt'));
      // One connection, kept alive, as the apiserver keeps one per webhook.
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
      const body = configMapReview();
      const warm = await review(agent, gate.webhookPort, body);
      // The bench review is a BLOCK under this gate's defaults: the same answer throughout.
      expect(warm).to.include({ status: 200, allowed: false });
      expect(warm.connection).to.not.equal('close');

      const exited = once(gate.child, 'exit');
      gate.child.kill('SIGTERM');
      await waitForLog(gate, /"msg":"draining/);

      const ready = await fetch(`${gate.url}/readyz`);
      expect(ready.status).to.equal(503);
      const readyBody = (await ready.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
      expect(readyBody.checks.shutdown).to.deep.include({ ok: false });
      expect(readyBody.checks.shutdown!.detail).to.match(/shutting down/);

      // The idle connection from before the signal is still open: reused, answered, then closed by its client.
      const during = await review(agent, gate.webhookPort, body);
      expect(during).to.deep.equal({ status: 200, connection: 'close', reusedSocket: true, allowed: false });
      // Later requests open new connections and are answered (and closed) the same way.
      for (let i = 0; i < 5; i++) {
        const next = await review(agent, gate.webhookPort, configMapReview(i + 1));
        expect(next).to.deep.equal({ status: 200, connection: 'close', reusedSocket: false, allowed: false });
      }
      agent.destroy();
      const [code] = (await exited) as [number | null];
      expect(code, gate.logs.join('\n')).to.equal(0);
      // Every answer given during the drain was recorded before the process went.
      expect(gate.logs.some((l) => /"msg":"stopping after the drain".*"drain_seconds":3/.test(l))).to.equal(
        true,
      );
    } finally {
      await gate.kill();
    }
  });

  it('keeps an idle webhook connection past the 5 s the api port keeps one: the apiserver closes it first', async () => {
    const gate = await spawnGate({ GATE_DATA_DIR: dataDir, GATE_API_TOKEN: TOKEN });
    try {
      const agent = new https.Agent({
        keepAlive: true,
        maxSockets: 1,
        ca: readFileSync(path.join(dataDir, 'tls', 'ca.crt')),
      });
      await review(agent, gate.webhookPort, configMapReview());
      await new Promise((r) => setTimeout(r, 6_500));
      const later = await review(agent, gate.webhookPort, configMapReview(1));
      expect(later).to.include({ status: 200, reusedSocket: true });
      agent.destroy();
    } finally {
      await gate.kill('SIGTERM');
    }
  });

  it('a second signal during the drain stops at once', async () => {
    const gate = await spawnGate({
      GATE_DATA_DIR: dataDir,
      GATE_API_TOKEN: TOKEN,
      GATE_SHUTDOWN_DRAIN_SECONDS: '120',
    });
    try {
      const exited = once(gate.child, 'exit');
      gate.child.kill('SIGTERM');
      await waitForLog(gate, /"msg":"draining/);
      gate.child.kill('SIGINT');
      // Mocha's timeout (60 s) is far under the 120 s drain: exiting at all proves the second signal ended it.
      const [code] = (await exited) as [number | null];
      expect(code, gate.logs.join('\n')).to.equal(0);
      expect(gate.logs.some((l) => /"msg":"stopping".*"signal":"SIGINT"/.test(l))).to.equal(true);
    } finally {
      await gate.kill();
    }
  });

  it('refuses a drain outside 0-120 s by name at start', async () => {
    const err = await spawnGate({ GATE_DATA_DIR: dataDir, GATE_SHUTDOWN_DRAIN_SECONDS: '600' }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.match(/exited with 78/);
    expect(err?.message).to.match(/GATE_SHUTDOWN_DRAIN_SECONDS/);
  });
});
