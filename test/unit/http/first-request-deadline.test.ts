// A client that connects and sends nothing is closed at the header deadline
// (plain HTTP, TLS before its handshake, TLS after it). Node alone held such
// a socket forever: its deadlines start at a request's first byte.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { listen, type RunningServer } from '../../../src/adapters/http/listen.js';
import { ensureLocalTls, type LocalTls } from '../../../src/adapters/tls/local-ca.js';

const DEADLINE_MS = 400;
// Node checks its own deadlines every second (connectionsCheckingInterval); ours is a timer.
const CLOSED_WITHIN_MS = 5_000;

function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('listen: the first request has a deadline', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-first-request-'));
  let material: LocalTls;
  const servers: RunningServer[] = [];
  const start = async (withTls: boolean): Promise<RunningServer> => {
    const s = await listen((_req, res) => res.end('ok'), {
      host: '127.0.0.1',
      port: 0,
      requestTimeoutMs: 60_000,
      headersTimeoutMs: DEADLINE_MS,
      ...(withTls ? { tls: { key: material.key, cert: material.cert } } : {}),
    });
    servers.push(s);
    return s;
  };
  before(async () => {
    material = await ensureLocalTls({ dir, now: new Date() });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('plain HTTP: a silent connection is closed; a prompt request is answered and kept alive past the deadline', async () => {
    const s = await start(false);
    const silent = net.connect(s.port, '127.0.0.1');
    silent.on('error', () => undefined);
    expect(await closedWithin(silent, CLOSED_WITHIN_MS)).to.equal(true);

    const talker = net.connect(s.port, '127.0.0.1');
    let got = '';
    talker.on('data', (d: Buffer) => (got += d.toString()));
    talker.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    // Idle well past the first-request deadline: keep-alive is Node's (5 s), not ours.
    await new Promise((r) => setTimeout(r, DEADLINE_MS * 3));
    expect(talker.destroyed).to.equal(false);
    talker.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(got.match(/HTTP\/1\.1 200/g)).to.have.length(2);
    talker.destroy();
  });

  it('TLS: silent before the handshake, or after it, is closed; a prompt client is answered', async () => {
    const s = await start(true);
    const noHello = net.connect(s.port, '127.0.0.1');
    noHello.on('error', () => undefined);
    expect(await closedWithin(noHello, CLOSED_WITHIN_MS), 'no ClientHello').to.equal(true);

    const handshaken = tls.connect({
      port: s.port,
      host: '127.0.0.1',
      ca: material.ca,
      servername: 'localhost',
    });
    handshaken.on('error', () => undefined);
    await new Promise((r) => handshaken.once('secureConnect', r));
    expect(await closedWithin(handshaken, CLOSED_WITHIN_MS), 'handshake, then nothing').to.equal(true);

    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: s.port, ca: material.ca, servername: 'localhost' }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    expect(body).to.equal('ok');
  });
});
