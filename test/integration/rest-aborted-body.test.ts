// A client that stops sending a JSON body mid-way gets an audited BLOCK on
// both validate routes, as an aborted multipart upload does (rest-t2.test.ts),
// never an unaudited 500.
import { expect } from 'chai';
import http from 'node:http';
import { getJson, startGate, type RunningGate } from '../support/gate-harness.js';

async function auditCount(gate: RunningGate, scenario: string): Promise<number> {
  return ((await getJson(gate, `/api/v1/audit/logs?scenario=${scenario}&limit=500`)).body.items as unknown[])
    .length;
}

/** Sends half of a declared JSON body, then destroys the socket. */
function abortMidBody(gate: RunningGate, route: string, half: Buffer): Promise<void> {
  const url = new URL(gate.url);
  return new Promise<void>((resolve) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: route,
      method: 'POST',
      headers: { ...gate.auth, 'content-type': 'application/json', 'content-length': half.length * 2 },
    });
    req.on('error', () => resolve());
    req.write(half, () =>
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200),
    );
  });
}

describe('REST: aborted JSON bodies', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  for (const [route, scenario] of [
    ['/api/v1/validate/migration', 'T1'],
    ['/api/v1/validate/replication', 'T2'],
  ] as const) {
    it(`${route}: a client that stops sending mid-body gets an audited BLOCK`, async () => {
      const before = await auditCount(gate, scenario);
      await abortMidBody(
        gate,
        route,
        Buffer.from(`{"manifest": "source_db: a", "config": "${'x'.repeat(2000)}`),
      );
      let after = before;
      for (let i = 0; i < 50 && after === before; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await auditCount(gate, scenario);
      }
      expect(after).to.equal(before + 1);
      const latest = (
        (await getJson(gate, `/api/v1/audit/logs?scenario=${scenario}&limit=1`)).body.items as Array<{
          decision: string;
          reasons: string[];
        }>
      )[0]!;
      expect(latest.decision).to.equal('BLOCK');
      expect(latest.reasons.join('\n')).to.match(/stopped sending/);
      expect((await fetch(`${gate.url}/healthz`)).ok).to.equal(true);
    });
  }
});
