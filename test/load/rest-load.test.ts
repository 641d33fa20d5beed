// Bounded load against 127.0.0.1 only: a fixed rate on the T1 REST route for
// LOAD_SECONDS (default 60), then slow clients, huge headers and many
// concurrent uploads while a normal client is still served. Figures are
// printed; the assertions are on errors and memory, never on speed.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runFixedRate } from '../bench/fixed-rate.js';
import { runLoad } from '../bench/load.js';
import { rssOf } from '../bench/spawn-server.js';
import { spawnGate, type GateProcess } from '../support/gate-process.js';
import { t2Form } from '../support/t2-upload.js';
import { exampleJsonBody } from '../support/signed-t1.js';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const RATE = Number(process.env.LOAD_RATE ?? 100);
const RSS_GROWTH_BOUND = 96 * 1024 * 1024;
const TOKEN = 'load-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
// Signed (t1-signature-required): the gate trusts examples/keys/trusted.
const body = JSON.stringify(exampleJsonBody('t1_good'));

async function served(gate: GateProcess): Promise<number> {
  const res = await fetch(`${gate.url}/api/v1/validate/migration`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  await res.text();
  return res.status;
}

describe('load (127.0.0.1 only, bounded)', function () {
  this.timeout((SECONDS + 240) * 1000);
  // No assertion on speed: the achieved rate and p99 are printed; errors, statuses and memory are asserted.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-load-'));
  let gate: GateProcess;
  before(async () => {
    gate = await spawnGate({
      GATE_DATA_DIR: dataDir,
      GATE_API_TOKEN: TOKEN,
      GATE_KEYS_DIR: 'examples/keys/trusted',
    });
  });
  after(async () => {
    await gate.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`holds ${RATE} validations/s for ${SECONDS}s with zero errors and bounded RSS`, async () => {
    await runLoad({
      url: `${gate.url}/api/v1/validate/migration`,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
      seconds: 3,
      connections: 8,
    });
    const rssBefore = await rssOf(gate.child.pid!);
    // Open loop (fixed-rate.ts): one request every 1000/RATE ms whatever the answers do.
    const r = await runFixedRate({
      url: `${gate.url}/api/v1/validate/migration`,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
      seconds: SECONDS,
      connections: 16,
      rate: RATE,
    });
    const rssAfter = await rssOf(gate.child.pid!);
    console.log(
      `      T1 REST at ${RATE}/s for ${SECONDS}s: ${r.requests} requests, ${r.perSecond.toFixed(1)}/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, errors ${r.errors}, non-2xx ${r.non2xx}, RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(r.errors).to.equal(0);
    expect(r.non2xx).to.equal(0);
    expect(r.requests).to.equal(Math.round(RATE * SECONDS));
    expect(rssAfter - rssBefore).to.be.lessThan(RSS_GROWTH_BOUND);
    const verify = (await (await fetch(`${gate.url}/api/v1/audit/verify`, { headers: auth })).json()) as {
      ok: boolean;
      records: number;
    };
    expect(verify.ok).to.equal(true);
    expect(verify.records).to.be.at.least(r.requests);
  });

  it('drops slowloris connections at the header timeout and keeps serving others', async () => {
    const url = new URL(gate.url);
    const sockets: net.Socket[] = [];
    const closed: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const s = net.connect(Number(url.port), url.hostname);
      s.on('error', () => {});
      s.write('POST /api/v1/validate/migration HTTP/1.1\r\nHost: x\r\n');
      closed.push(new Promise((r) => s.once('close', () => r())));
      sockets.push(s);
    }
    const drip = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write('X-Drip: 1\r\n');
    }, 1000);
    try {
      expect(await served(gate), 'a normal client is served during the attack').to.equal(200);
      const all = await Promise.race([
        Promise.all(closed).then(() => true),
        new Promise((r) => setTimeout(() => r(false), 40_000)),
      ]);
      expect(all, 'every slow connection was closed by the server').to.equal(true);
    } finally {
      clearInterval(drip);
      for (const s of sockets) s.destroy();
    }
  });

  it('drops slow bodies at the body deadline (headers sent, then the body dripped or never sent), unauthenticated too', async () => {
    const url = new URL(gate.url);
    const sockets: net.Socket[] = [];
    const closed: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const s = net.connect(Number(url.port), url.hostname);
      s.on('error', () => {});
      const route = i % 2 === 0 ? '/ui/login' : '/api/v1/validate/migration';
      const type = i % 2 === 0 ? 'application/x-www-form-urlencoded' : 'application/json';
      s.write(
        `POST ${route} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n${i % 2 === 0 ? '' : `Authorization: Bearer ${TOKEN}\r\n`}\r\n`,
      );
      // Read what the server sends (its 408 and FIN): a paused socket would never see the close.
      s.resume();
      closed.push(new Promise((r) => s.once('close', () => r())));
      sockets.push(s);
    }
    // Half of them drip a byte a second (never idle), half send nothing: both must go at the (total) body deadline.
    const drip = setInterval(() => {
      sockets.forEach((s, i) => {
        if (i % 4 < 2 && !s.destroyed) s.write('a');
      });
    }, 1000);
    try {
      expect(await served(gate), 'a normal client is served during the attack').to.equal(200);
      const all = await Promise.race([
        Promise.all(closed).then(() => true),
        new Promise((r) => setTimeout(() => r(false), 30_000)),
      ]);
      expect(
        all,
        'every slow-body connection was closed by the server (GATE_BODY_TIMEOUT_MS, 10 s by default)',
      ).to.equal(true);
    } finally {
      clearInterval(drip);
      for (const s of sockets) s.destroy();
    }
  });

  it('refuses huge headers with 431 and stays up', async () => {
    const res = await fetch(`${gate.url}/healthz`, { headers: { 'x-huge': 'a'.repeat(64 * 1024) } }).catch(
      () => undefined,
    );
    if (res) expect(res.status).to.equal(431);
    expect(await served(gate)).to.equal(200);
  });

  it('serves a normal client while 24 snapshot uploads run, with bounded RSS', async () => {
    const rssBefore = await rssOf(gate.child.pid!);
    const uploads = Array.from({ length: 24 }, () =>
      fetch(`${gate.url}/api/v1/validate/replication`, {
        method: 'POST',
        headers: auth,
        body: t2Form('examples/t2_good'),
      }).then(async (r) => {
        await r.text();
        return r.status;
      }),
    );
    expect(await served(gate)).to.equal(200);
    const statuses = await Promise.all(uploads);
    const rssAfter = await rssOf(gate.child.pid!);
    console.log(
      `      24 concurrent uploads: ${statuses.filter((s) => s === 200).length} ALLOW, RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(statuses.every((s) => s === 200)).to.equal(true);
    expect(rssAfter - rssBefore).to.be.lessThan(RSS_GROWTH_BOUND);
  });
});
