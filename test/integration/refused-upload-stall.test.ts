// A refused upload is drained before its answer (src/adapters/http/drain.ts),
// so a client still sending sees the 400, not a reset. Attacked: a client
// that sends a refused first part and then stalls, or drips, must not hold
// the answer (or the gate) beyond the drain's bound; the refusal is audited.
import { expect } from 'chai';
import { connect } from 'node:net';
import { getJson, startGate, type RunningGate } from '../support/gate-harness.js';

/** Sends headers and the start of a multipart body that claims more, then `rest` (or nothing); resolves with the raw answer. */
function stalledUpload(gate: RunningGate, drip: boolean): Promise<{ text: string; ms: number }> {
  const { port } = new URL(gate.url);
  const boundary = 'xBOUNDARYx';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="a"; filename="a.txt"\r\n\r\nx\r\n`;
  const claimed = head.length + 100_000;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST /api/v1/validate/migration HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${gate.auth.authorization}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${claimed}\r\n\r\n${head}`,
      );
    });
    const dripper = drip ? setInterval(() => socket.write('y'), 100) : undefined;
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}/.test(text)) {
        clearInterval(dripper);
        socket.destroy();
        resolve({ text, ms: performance.now() - started });
      }
    });
    socket.on('error', (e) => {
      clearInterval(dripper);
      reject(e);
    });
    setTimeout(() => {
      clearInterval(dripper);
      socket.destroy();
      reject(new Error(`no answer after 15 s: ${JSON.stringify(text.slice(0, 200))}`));
    }, 15_000).unref();
  });
}

describe('a refused upload whose client stalls', () => {
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  for (const drip of [false, true]) {
    it(`${drip ? 'drips bytes' : 'sends nothing more'}: still answered 400 naming the part, audited, and the gate stays up`, async () => {
      const { text } = await stalledUpload(gate, drip);
      expect(text).to.match(/^HTTP\/1\.1 400 /);
      expect(text).to.match(/unexpected multipart part/);
      // Unread bytes remain: the answer closes the connection rather than reusing it.
      expect(text.toLowerCase()).to.contain('connection: close');
      const id = /"request_id":"([^"]+)"/.exec(text)?.[1];
      expect(id, 'the answer names its request id').to.be.a('string');
      const logs = await getJson(gate, '/api/v1/audit/logs?limit=50');
      const items = logs.body.items as Array<{ request_id: string; decision: string }>;
      expect(items.find((r) => r.request_id === id)?.decision).to.equal('BLOCK');
      expect((await getJson(gate, '/healthz', {})).status).to.equal(200);
    });
  }
});
