// The CLI as a user runs it: real process, real files, exit codes 0/1/2.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { T2_GOOD_ARGS } from '../support/t2-good-args.js';

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, GATE_API_TOKEN: '', GATE_KEYS_DIR: 'examples/keys/trusted' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

// Signed examples (a .sig beside the manifest) are checked with their signature (t1-signature-required).
const t1 = (dir: string): string[] => [
  '--manifest',
  `${dir}/migration_manifest.json`,
  '--config',
  `${dir}/app-config.yaml`,
  ...(existsSync(`${dir}/migration_manifest.json.sig`)
    ? ['--signature', `${dir}/migration_manifest.json.sig`]
    : []),
];

describe('CLI', function () {
  this.timeout(60_000);

  it('validate migration: 0 on ALLOW, 1 on BLOCK with the reason, --json prints the report', async () => {
    expect((await cli('validate', 'migration', ...t1('examples/t1_good'))).code).to.equal(0);
    const bad = await cli('validate', 'migration', ...t1('examples/t1_bad/public-bind'));
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.contain('[no-public-bind]');
    const json = await cli('validate', 'migration', ...t1('examples/t1_bad/md5-hash'), '--json');
    expect(JSON.parse(json.stdout).reasons[0]).to.match(/^\[outdated-hash-algorithm\]/);
  });

  it('validate replication: the good example is allowed, an unsigned prod one blocked', async () => {
    const good = await cli('validate', 'replication', ...T2_GOOD_ARGS);
    expect(good.code, good.stdout + good.stderr).to.equal(0);
    const bad = await cli(
      'validate',
      'replication',
      '--manifest',
      'examples/t2_bad/unsigned-prod/replication_manifest.yaml',
      '--snapshot',
      'examples/t2_bad/unsigned-prod/snapshot.tar.gz',
      '--wal-dir',
      'examples/t2_bad/unsigned-prod/wal',
    );
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.contain('[t2-signature-required]');
  });

  it('exits 2 with usage on bad arguments and on unreadable files', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('usage:');
    expect((await cli('validate', 'migration', '--manifest', 'x.json')).code).to.equal(2);
    expect((await cli('validate', 'migration', '--bogus-flag')).code).to.equal(2);
    const missing = await cli('validate', 'migration', '--manifest', 'nope.json', '--config', 'nope.yaml');
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('nope');
  });

  describe('against a running gate', () => {
    let gate: RunningGate;
    before(async () => {
      gate = await startGate();
    });
    after(async () => {
      await gate.stop();
    });

    it('gets the audited decision from the server, then verifies and detects tampering offline', async () => {
      const res = await cli(
        'validate',
        'migration',
        ...t1('examples/t1_bad/tls-off-prod'),
        '--server',
        gate.url,
        '--token',
        TEST_TOKEN,
      );
      expect(res.code).to.equal(1);
      expect(res.stdout).to.contain('[prod-requires-tls]');
      const t2 = await cli(
        'validate',
        'replication',
        ...T2_GOOD_ARGS,
        '--server',
        gate.url,
        '--token',
        TEST_TOKEN,
      );
      expect(t2.code, t2.stdout + t2.stderr).to.equal(0);
      const file = path.join(gate.dataDir, 'audit.jsonl');
      expect((await cli('audit', 'verify', '--file', file)).code).to.equal(0);
      expect((await cli('audit', 'verify', '--server', gate.url, '--token', TEST_TOKEN)).code).to.equal(0);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"scenario":"T1"', '"scenario":"T2"'));
      const broken = await cli('audit', 'verify', '--file', file);
      expect(broken.code).to.equal(1);
      expect(JSON.parse(broken.stdout).first_bad.location).to.equal('audit.jsonl:1');
    });

    it('exits 2 when the server refuses the token', async () => {
      const res = await cli(
        'validate',
        'migration',
        ...t1('examples/t1_good'),
        '--server',
        gate.url,
        '--token',
        'wrong-token-wrong-token',
      );
      expect(res.code).to.equal(2);
      expect(res.stderr).to.contain('401');
    });
  });
});
