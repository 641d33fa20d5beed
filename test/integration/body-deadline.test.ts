// Every request body has a deadline (GATE_BODY_TIMEOUT_MS, short here): a
// real socket that sends headers and then nothing is answered 408 and closed
// within it, on an unauthenticated route too; a streaming T2 upload that keeps
// sending lives past it, one that stalls does not.
import { expect } from 'chai';
import net from 'node:net';
import { getJson, startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { t2Form } from '../support/t2-upload.js';

const DEADLINE_MS = 600;

// No clock in the assertions: who closed the socket, and what had been sent
// by then, say whether the deadline did its job (a timed bound is a flaky
// test on a loaded machine and proves nothing the close does not).
interface Outcome {
  /** The test's own 15 s guard closed the socket: the gate never did. */
  closedByGuard: boolean;
  /** Chunks of `more` not yet written when the socket closed. */
  unsent: number;
  response: string;
}

/** Sends `head` (headers, maybe some body) and then `more` chunks every `everyMs`; resolves when the server closes. */
function slowClient(
  gate: RunningGate,
  head: string | Buffer,
  more: Buffer[] = [],
  everyMs = 200,
): Promise<Outcome> {
  const url = new URL(gate.url);
  let closedByGuard = false;
  return new Promise((resolve) => {
    const s = net.connect(Number(url.port), url.hostname);
    let response = '';
    s.on('data', (c: Buffer) => {
      response += c.toString('latin1');
    });
    s.on('error', () => undefined);
    const drip = setInterval(() => {
      const c = more.shift();
      if (c && !s.destroyed) s.write(c);
      else clearInterval(drip);
    }, everyMs);
    s.once('close', () => {
      clearInterval(drip);
      resolve({ closedByGuard, unsent: more.length, response });
    });
    // A guard so a regression fails the test instead of hanging it.
    setTimeout(() => {
      closedByGuard = true;
      s.destroy();
    }, 15_000).unref();
    s.write(head);
  });
}

const headers = (path: string, type: string, length: number, auth = true): string =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n${auth ? `Authorization: Bearer ${TEST_TOKEN}\r\n` : ''}\r\n`;

describe('body deadline (GATE_BODY_TIMEOUT_MS)', function () {
  this.timeout(60_000);
  let gate: RunningGate;
  before(async () => {
    gate = await startGate({ GATE_BODY_TIMEOUT_MS: String(DEADLINE_MS) });
  });
  after(async () => {
    await gate.stop();
  });

  it('an unauthenticated POST /ui/login that never sends its body gets 408 and is closed within the deadline', async () => {
    const out = await slowClient(gate, headers('/ui/login', 'application/x-www-form-urlencoded', 100, false));
    expect(out.response).to.match(/^HTTP\/1\.1 408 /);
    expect(out.closedByGuard).to.equal(false);
  });

  it('a body that drips slower than the deadline allows is cut off (total deadline, not idle)', async () => {
    const drip = Array.from({ length: 30 }, () => Buffer.from('a'));
    const out = await slowClient(
      gate,
      headers('/ui/login', 'application/x-www-form-urlencoded', 100, false),
      drip,
      100,
    );
    expect(out.response).to.match(/^HTTP\/1\.1 408 /);
    expect(out.closedByGuard).to.equal(false);
    expect(out.unsent, 'closed while the client was still dripping').to.be.greaterThan(0);
  });

  it('a JSON validate body that never arrives is closed and audited as a BLOCK', async () => {
    const before = ((await getJson(gate, '/api/v1/audit/logs?scenario=T1&limit=500')).body.items as unknown[])
      .length;
    const out = await slowClient(
      gate,
      headers('/api/v1/validate/migration', 'application/json', 1000) + '{"manifest":',
    );
    expect(out.response).to.match(/^HTTP\/1\.1 408 /);
    expect(out.closedByGuard).to.equal(false);
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = ((await getJson(gate, '/api/v1/audit/logs?scenario=T1&limit=500')).body.items as unknown[])
        .length;
    }
    expect(after).to.equal(before + 1);
  });

  describe('streaming T2 upload: a progress deadline', () => {
    // The real example upload (manifest, signature, snapshot, WAL), as bytes.
    let body = Buffer.alloc(0);
    let head = '';
    before(async () => {
      const r = new Request('http://x/', { method: 'POST', body: t2Form('examples/t2_good') });
      body = Buffer.from(await r.arrayBuffer());
      head = headers('/api/v1/validate/replication', r.headers.get('content-type')!, body.length);
    });
    const chunks = (n: number): Buffer[] =>
      Array.from({ length: n }, (_, i) =>
        body.subarray(Math.floor((i * body.length) / n), Math.floor(((i + 1) * body.length) / n)),
      );

    it('lives well past the deadline while bytes keep arriving, and is answered', async () => {
      // 12 chunks 250 ms apart: ~3 s in all, five times the deadline, never idle for it.
      // Answered 200 with every chunk sent: the whole upload arrived, so nothing cut it short.
      const out = await slowClient(gate, head, chunks(12), 250);
      expect(out.unsent).to.equal(0);
      expect(out.response).to.match(/^HTTP\/1\.1 200 /);
    });

    it('is closed once it stalls for the deadline', async () => {
      const parts = chunks(4);
      const out = await slowClient(gate, Buffer.concat([Buffer.from(head), parts[0]!]));
      expect(out.closedByGuard).to.equal(false);
      expect(out.response).to.not.match(/^HTTP\/1\.1 200 /);
    });
  });
});
