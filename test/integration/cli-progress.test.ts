// `validate replication` shows a progress bar on a terminal (bytes, rate,
// ETA), local and server mode alike, and none at all when piped. The
// terminal is a real pseudo-terminal (util-linux `script`), not a flag.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { T2_GOOD_ARGS } from '../support/t2-good-args.js';

const run = promisify(execFile);
const ARGS = ['validate', 'replication', ...T2_GOOD_ARGS];
const ENV = { ...process.env, GATE_API_TOKEN: '', GATE_KEYS_DIR: 'examples/keys/trusted' };

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs the CLI with stdin/stdout/stderr on a pseudo-terminal; returns everything the terminal got. */
async function onTerminal(args: string[]): Promise<string> {
  const cmd = [process.execPath, '--import', 'tsx', 'src/cli.ts', ...args].map(shellQuote).join(' ');
  const { stdout } = await run('script', ['-qec', cmd, '/dev/null'], { env: { ...ENV, COLUMNS: '100' } });
  return stdout;
}

async function piped(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: ENV });
}

describe('CLI progress bar (validate replication)', function () {
  this.timeout(120_000);
  let gate: RunningGate;
  before(async () => {
    gate = await startGate();
  });
  after(async () => {
    await gate.stop();
  });

  it('local mode: a bar with bytes, rate and ETA on a terminal; nothing but the report when piped', async () => {
    const tty = await onTerminal([...ARGS, '--json']);
    expect(tty).to.match(
      /verifying \[[#-]+\] [\d.]+ (B|KiB|MiB) \/ [\d.]+ (B|KiB|MiB) {2}\d+% {2}[\d.]+ (B|KiB|MiB)\/s {2}ETA/,
    );
    expect(tty).to.contain('"decision": "ALLOW"');
    const pipe = await piped([...ARGS, '--json']);
    expect(pipe.stderr).to.equal('');
    expect(JSON.parse(pipe.stdout)).to.include({ decision: 'ALLOW' });
  });

  it('server mode: the upload has its bar too, and none when piped', async () => {
    const server = ['--server', gate.url, '--token', TEST_TOKEN];
    const tty = await onTerminal([...ARGS, ...server]);
    expect(tty).to.match(/uploading \[[#-]+\] [\d.]+ (B|KiB|MiB) \/ [\d.]+ (B|KiB|MiB) {2}100%/);
    expect(tty).to.contain('ALLOW');
    const pipe = await piped([...ARGS, ...server]);
    expect(pipe.stderr).to.equal('');
    expect(pipe.stdout).to.match(/^ALLOW {2}T2/);
  });
});
