// A start that fails exits non-zero with one line naming the setting, for
// both listeners: the real process (src/main.ts) on a port held busy here.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function runGate(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      GATE_API_PORT: '0',
      GATE_WEBHOOK_PORT: '0',
      GATE_BIND_ADDRESS: '127.0.0.1',
      GATE_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

describe('start failures', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gate-start-'));
  let busy: net.Server;
  let busyPort = 0;

  before(async () => {
    busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    busyPort = (busy.address() as net.AddressInfo).port;
  });
  after(() => {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const setting of ['GATE_API_PORT', 'GATE_WEBHOOK_PORT']) {
    it(`exits non-zero naming ${setting} when its port is in use`, async () => {
      const { code, stderr } = await runGate({
        GATE_DATA_DIR: path.join(dir, setting),
        GATE_API_TOKEN: 'start-failure-token-0123456789',
        [setting]: String(busyPort),
      });
      expect(code, stderr).to.be.a('number').and.not.equal(0);
      const lines = stderr.split('\n').filter((l) => l.startsWith('migration-gate: '));
      expect(lines, stderr).to.deep.equal([`migration-gate: cannot start: ${setting} ${busyPort} is in use`]);
      expect(stderr).to.not.contain('unhandled rejection');
    });
  }
});
