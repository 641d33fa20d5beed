// Runs the gate as a real child process (node + tsx, src/main.ts) with a
// given data dir, so tests can SIGKILL it and start it again on the same files.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface GateProcess {
  child: ChildProcess;
  url: string;
  webhookPort: number;
  logs: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnGate(env: Record<string, string>): Promise<GateProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      GATE_API_PORT: '0',
      GATE_WEBHOOK_PORT: '0',
      GATE_BIND_ADDRESS: '127.0.0.1',
      GATE_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => logs.push(l));
  const ports = await new Promise<{ api: number; webhook: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gate did not start:\n${logs.join('\n')}`)), 30_000);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      logs.push(line);
      // main.ts logs this once both listeners are up.
      const m = /"msg":"migration-gate started".*"apiPort":(\d+),"webhookPort":(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ api: Number(m[1]), webhook: Number(m[2]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gate exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  return {
    child,
    logs,
    url: `http://127.0.0.1:${ports.api}`,
    webhookPort: ports.webhook,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
