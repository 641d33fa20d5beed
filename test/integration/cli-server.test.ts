// The CLI against a running gate: environment fallbacks, refused
// credentials (exit 2, never the "chain broken" 1), an unreachable gate
// (exit 3), and `audit logs` with the API's filters and --follow.
import { expect } from 'chai';
import { createServer } from 'node:net';
import path from 'node:path';
import { startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { REPO, runCli, spawnCli } from '../support/cli-process.js';

const EX = path.join(REPO, 'examples');
const t1 = (dir: string): string[] => [
  'validate',
  'migration',
  '--manifest',
  path.join(EX, dir, 'migration_manifest.json'),
  '--config',
  path.join(EX, dir, 'app-config.yaml'),
];

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('CLI against a running gate (spawned)', function () {
  this.timeout(120_000);
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  it('GATE_SERVER and GATE_API_TOKEN are the defaults for --server and --token; --local evaluates here anyway', async () => {
    const env = { GATE_SERVER: gate.url, GATE_API_TOKEN: TEST_TOKEN };
    const res = await runCli([...t1('t1_bad/debug-prod'), '-o', 'json'], { env });
    expect(res.code, res.stderr).to.equal(1);
    const report = JSON.parse(res.stdout);
    expect(report.subject.source).to.not.equal('cli');
    const logs = await runCli(['audit', 'logs', '--output', 'json'], { env });
    expect(logs.code, logs.stderr).to.equal(0);
    expect(
      logs.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).request_id),
    ).to.include(report.request_id);
    const local = await runCli([...t1('t1_bad/debug-prod'), '--local', '-o', 'json'], { env });
    expect(JSON.parse(local.stdout).subject.source).to.equal('cli');
  });

  it('a wrong token is exit 2 with a message on stderr, for every command that calls the server', async () => {
    const bad = ['--server', gate.url, '--token', 'wrong-token-wrong-token'];
    for (const args of [
      [...t1('t1_good'), ...bad],
      ['audit', 'verify', ...bad],
      ['audit', 'logs', ...bad],
    ]) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).to.equal(2);
      expect(res.stderr).to.contain('refused the credentials (HTTP 401');
      expect(res.stderr).to.not.contain('wrong-token');
      expect(res.stdout).to.equal('');
    }
    const none = await runCli(['audit', 'verify', '--server', gate.url]);
    expect(none.code).to.equal(2);
  });

  it('an unreachable gate is exit 3, a URL that is not one is exit 2', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [
      [...t1('t1_good'), '--server', url],
      ['audit', 'verify', '--server', url],
      ['audit', 'logs', '--server', url],
    ]) {
      const res = await runCli(args);
      expect(res.code, args.join(' ')).to.equal(3);
      expect(res.stderr).to.contain('cannot reach');
    }
    expect((await runCli(['audit', 'logs', '--server', 'not a url'])).code).to.equal(2);
  });

  it("audit logs: the API's filters, oldest first; a bad filter is exit 2 before any call; --file reads a local log", async () => {
    const auth = ['--server', gate.url, '--token', TEST_TOKEN];
    expect(
      (
        await runCli([
          ...t1('t1_good'),
          '--signature',
          path.join(EX, 't1_good/migration_manifest.json.sig'),
          ...auth,
        ])
      ).code,
    ).to.equal(0);
    expect((await runCli([...t1('t1_bad/tls-off-prod'), ...auth])).code).to.equal(1);
    const blocks = await runCli([
      'audit',
      'logs',
      '--decision',
      'BLOCK',
      '--scenario',
      'T1',
      '--app-id',
      'orders-api',
      '-o',
      'json',
      ...auth,
    ]);
    expect(blocks.code, blocks.stderr).to.equal(0);
    const rows = blocks.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { decision: string; subject: { app_id?: string }; timestamp: string });
    expect(rows.length).to.be.greaterThan(0);
    for (const r of rows) expect(r).to.deep.include({ decision: 'BLOCK' });
    expect(rows.map((r) => r.timestamp)).to.deep.equal([...rows.map((r) => r.timestamp)].sort());
    const text = await runCli(['audit', 'logs', '--limit', '1', ...auth]);
    expect(text.stdout.trim().split('\n')).to.have.length(1);
    expect(text.stderr).to.match(/more records: --continue \S+/);
    const bad = await runCli(['audit', 'logs', '--decision', 'MAYBE', '--server', 'http://127.0.0.1:9']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('invalid filter');
    const file = await runCli([
      'audit',
      'logs',
      '--file',
      path.join(gate.dataDir, 'audit.jsonl'),
      '--decision',
      'ALLOW',
      '-o',
      'json',
    ]);
    expect(file.code, file.stderr).to.equal(0);
    for (const l of file.stdout.trim().split('\n')) expect(JSON.parse(l).decision).to.equal('ALLOW');
  });

  it('audit logs --follow prints records as they are written, and stops cleanly on SIGTERM', async () => {
    const child = spawnCli([
      'audit',
      'logs',
      '--follow',
      '--interval',
      '0.2',
      '--scenario',
      'T1',
      '-o',
      'json',
      '--server',
      gate.url,
      '--token',
      TEST_TOKEN,
    ]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const waitFor = async (pred: () => boolean): Promise<void> => {
      for (let i = 0; i < 600 && !pred(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(pred(), out).to.equal(true);
    };
    await waitFor(() => out.split('\n').filter(Boolean).length > 0);
    const res = await runCli([
      ...t1('t1_bad/cors-wildcard'),
      '-o',
      'json',
      '--server',
      gate.url,
      '--token',
      TEST_TOKEN,
    ]);
    const id = JSON.parse(res.stdout).request_id as string;
    await waitFor(() => out.includes(id));
    const lines = out.split('\n').filter(Boolean);
    // Counting lines raced the first page still arriving in several chunks;
    // what matters is that the new record is printed once and nothing twice.
    expect(lines.filter((l) => l.includes(id))).to.have.length(1);
    expect(new Set(lines).size).to.equal(lines.length);
    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
  });
});
