// Artifact sources with real files and a real HTTPS server on 127.0.0.1.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createArtifactSource } from '../../src/adapters/artifacts/artifact-source.js';

async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const c of stream) n += c.length;
  return n;
}

describe('artifact sources', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-artifacts-'));
  const root = path.join(dir, 'root');
  let server: https.Server;
  let port = 0;

  before(async () => {
    mkdirSync(root);
    writeFileSync(path.join(root, 'snap.tgz'), Buffer.alloc(5000, 7));
    writeFileSync(path.join(dir, 'outside.txt'), 'secret');
    symlinkSync(path.join(dir, 'outside.txt'), path.join(root, 'escape'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const { readFileSync } = await import('node:fs');
    server = https.createServer(
      { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
      (req, res) => {
        if (req.url === '/big') {
          res.writeHead(200);
          res.end(Buffer.alloc(20_000));
          return;
        }
        if (req.url === '/snap.tgz') {
          res.writeHead(200, { 'content-length': '3000' });
          res.end(Buffer.alloc(3000, 1));
          return;
        }
        res.writeHead(404);
        res.end();
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const source = (extra: Partial<Parameters<typeof createArtifactSource>[0]> = {}) =>
    createArtifactSource({
      root,
      hosts: [`127.0.0.1:${port}`],
      maxBytes: 10_000,
      timeoutMs: 5000,
      caFile: path.join(dir, 'cert.pem'),
      ...extra,
    });

  it('streams a file:// artifact under the root', async () => {
    const a = await source().open(`file://${path.join(root, 'snap.tgz')}`);
    expect(a.size).to.equal(5000);
    expect(await drain(a.stream)).to.equal(5000);
  });

  it('refuses paths outside the root, including through a symlink', async () => {
    for (const p of [path.join(dir, 'outside.txt'), path.join(root, 'escape'), `${root}/../outside.txt`]) {
      const err = await source()
        .open(`file://${p}`)
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(err?.message, p).to.contain('is not a file under the artifact root');
    }
  });

  it('answers "outside the root" and "does not exist" alike, so it cannot be used to probe files outside the root', async () => {
    const answer = async (p: string) => {
      const err = await source()
        .open(`file://${p}`)
        .then(
          () => undefined,
          (e: Error & { code?: string }) => e,
        );
      return { code: err?.code, message: err?.message.replace(p, '<path>') };
    };
    const existsOutside = await answer(path.join(dir, 'outside.txt'));
    expect(existsOutside.code).to.be.a('string');
    for (const p of [
      path.join(dir, 'missing.txt'),
      path.join(root, 'missing.tgz'),
      path.join(root, 'escape'),
      '/nonexistent-dir/x',
    ]) {
      expect(await answer(p), p).to.deep.equal(existsOutside);
    }
  });

  it('refuses other schemes, credentials in URLs and hosts not allow-listed', async () => {
    expect(
      (
        (await source()
          .open('http://127.0.0.1/x')
          .catch((e: Error) => e)) as Error
      ).message,
    ).to.contain('scheme');
    expect(
      (
        (await source()
          .open(`https://u:p@127.0.0.1:${port}/snap.tgz`)
          .catch((e: Error) => e)) as Error
      ).message,
    ).to.contain('credentials');
    expect(
      (
        (await source({ hosts: [] })
          .open(`https://127.0.0.1:${port}/snap.tgz`)
          .catch((e: Error) => e)) as Error
      ).message,
    ).to.contain('GATE_ARTIFACT_HOSTS');
  });

  it('fetches over verified https with the configured CA, and refuses it without', async () => {
    const a = await source().open(`https://127.0.0.1:${port}/snap.tgz`);
    expect(await drain(a.stream)).to.equal(3000);
    const err = (await source({ caFile: undefined })
      .open(`https://127.0.0.1:${port}/snap.tgz`)
      .catch((e: Error) => e)) as Error;
    expect(err.message).to.match(/certificate|self.signed/i);
  });

  it('caps the size of an https artifact without a content-length, and answers 404 clearly', async () => {
    const big = await source().open(`https://127.0.0.1:${port}/big`);
    const err = (await drain(big.stream).catch((e: Error) => e)) as Error;
    expect(err.message).to.contain('exceeds');
    expect(
      (
        (await source()
          .open(`https://127.0.0.1:${port}/nope`)
          .catch((e: Error) => e)) as Error
      ).message,
    ).to.contain('HTTP 404');
  });
});
