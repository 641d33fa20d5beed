// `npx migration-gate` as a user runs it in a fresh checkout: right after
// `npm ci` (no dist/), after a build, and with a build older than the source.
// A copy of the checkout's package files in a temp dir stands in for the
// fresh clone; node_modules is the one `npm ci` made here (linked).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('npx migration-gate (package.json bin)', function () {
  this.timeout(120_000);
  let dir = '';

  // npx from the checkout's directory, never the registry (--no-install).
  const npx = async (...args: string[]): Promise<Result> => {
    try {
      const { stdout, stderr } = await run('npx', ['--no-install', 'migration-gate', ...args], {
        cwd: dir,
        env: { ...process.env, npm_config_yes: 'false' },
      });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  const fakeDist = (mtime: Date): void => {
    mkdirSync(path.join(dir, 'dist'), { recursive: true });
    const f = path.join(dir, 'dist', 'cli.js');
    writeFileSync(f, "process.stdout.write('compiled cli ' + process.argv.slice(2).join(' ') + '\\n');\n");
    utimesSync(f, mtime, mtime);
  };

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gate-npx-'));
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin', 'src'])
      cpSync(f, path.join(dir, f), { recursive: true });
    symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('works right after npm ci, with no build: runs the TypeScript source', async () => {
    const r = await npx('--help');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^usage: migration-gate <command>/);
    const bad = await npx('no-such-command');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/migration-gate: /);
  });

  it('runs dist/cli.js once it is built (newer than every source file)', async () => {
    fakeDist(new Date(Date.now() + 60_000));
    const r = await npx('audit', 'verify');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('compiled cli audit verify\n');
  });

  it('never runs a build older than the source it came from', async () => {
    fakeDist(new Date(Date.now() - 3600_000));
    const r = await npx('--help');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^usage:/);
    expect(r.stdout).not.to.match(/compiled cli/);
  });

  it('an installed package (no src/) without dist/ fails with exit 2 naming the build', async () => {
    rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
    rmSync(path.join(dir, 'src'), { recursive: true, force: true });
    const r = await npx('--help');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/dist\/cli\.js is missing: run `npm run build`/);
  });
});
