// Bounded admission load against 127.0.0.1 only: ConfigMap CREATE reviews
// (4 KB config, full baseline policies, file audit) over HTTPS keep-alive at
// a fixed rate for LOAD_SECONDS. Asserts errors, answers and memory; prints
// the achieved rate and p99 (never asserted: speed is for the benchmarks).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configMapReview } from '../bench/admission.bench.js';
import { runFixedRate } from '../bench/fixed-rate.js';
import { runLoad } from '../bench/load.js';
import { rssOf } from '../bench/spawn-server.js';
import { spawnGate, type GateProcess } from '../support/gate-process.js';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const RATE = Number(process.env.LOAD_ADMISSION_RATE ?? 50);
const RSS_GROWTH_BOUND = 96 * 1024 * 1024;
const TOKEN = 'admission-load-token-0123456789';

describe('admission load (127.0.0.1 only, bounded)', function () {
  this.timeout((SECONDS + 120) * 1000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-admission-load-'));
  let gate: GateProcess;
  before(async () => {
    gate = await spawnGate({ GATE_DATA_DIR: dataDir, GATE_API_TOKEN: TOKEN });
  });
  after(async () => {
    await gate.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`answers ${RATE} ConfigMap reviews/s for ${SECONDS}s with zero errors and bounded RSS`, async () => {
    const url = `https://127.0.0.1:${gate.webhookPort}/validate?timeout=10s`;
    const body = configMapReview();
    const headers = { 'content-type': 'application/json' };
    await runLoad({ url, method: 'POST', headers, body, seconds: 3, connections: 4 });
    const rssBefore = await rssOf(gate.child.pid!);
    // Open loop (fixed-rate.ts): one review every 1000/RATE ms, as an apiserver sends them.
    const r = await runFixedRate({
      url,
      method: 'POST',
      headers,
      body,
      seconds: SECONDS,
      connections: 8,
      rate: RATE,
    });
    const rssAfter = await rssOf(gate.child.pid!);
    console.log(
      `      admission at ${RATE}/s for ${SECONDS}s: ${r.requests} reviews, ${r.perSecond.toFixed(1)}/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, errors ${r.errors}, non-2xx ${r.non2xx}, RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(r.errors).to.equal(0);
    expect(r.non2xx).to.equal(0);
    expect(r.requests).to.equal(Math.round(RATE * SECONDS));
    expect(rssAfter - rssBefore).to.be.lessThan(RSS_GROWTH_BOUND);
    const verify = (await (
      await fetch(`${gate.url}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { ok: boolean; records: number };
    expect(verify.ok).to.equal(true);
    expect(verify.records).to.be.at.least(r.requests);
  });
});
