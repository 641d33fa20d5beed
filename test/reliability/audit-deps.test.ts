// scripts/audit-deps.sh (npm audit --omit=dev, high and critical fail) must
// tell three outcomes apart, whatever the registry answers: clean, findings,
// and "could not audit". A fake `npm` on PATH plays the advisory service.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function runWithFakeNpm(json: string, exitCode: number): { status: number | null; out: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-npm-'));
  try {
    writeFileSync(path.join(dir, 'answer.json'), json);
    writeFileSync(
      path.join(dir, 'npm'),
      `#!/usr/bin/env bash\ncat '${path.join(dir, 'answer.json')}'\nexit ${exitCode}\n`,
    );
    chmodSync(path.join(dir, 'npm'), 0o755);
    const r = spawnSync('bash', ['scripts/audit-deps.sh'], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
      encoding: 'utf8',
    });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const report = (v: Record<string, number>): string =>
  JSON.stringify({
    metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, ...v } },
  });

describe('scripts/audit-deps.sh', () => {
  it('passes a tree with no high or critical advisory, and says what it counted', () => {
    const r = runWithFakeNpm(report({ moderate: 1, total: 1 }), 0);
    expect(r.status).to.equal(0);
    expect(r.out).to.contain('0 critical, 0 high, 1 moderate');
  });

  it('fails on a high advisory', () => {
    const r = runWithFakeNpm(report({ high: 2, total: 2 }), 1);
    expect(r.status).to.equal(1);
    expect(r.out).to.contain('2 high');
  });

  it('says NOT AUDITED (exit 3) when the advisory service does not answer', () => {
    const r = runWithFakeNpm('{"error":{"code":"E405","summary":"Method Not Allowed"}}', 1);
    expect(r.status).to.equal(3);
    expect(r.out).to.contain('NOT AUDITED');
  });
});
