// Starts the real app (real HTTP on 127.0.0.1, real policy files, real file
// audit sink in a temp dir) for integration tests.
import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { GateConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/adapters/log.js';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface RunningGate {
  app: App;
  url: string;
  dataDir: string;
  policyDir: string;
  auth: Record<string, string>;
  stop(): Promise<void>;
}

/** The real app on ports 0 of 127.0.0.1 over a temp data dir and a copy of the policies. */
export async function createTestApp(
  env: Record<string, string> = {},
  overrides: Partial<AppOptions> = {},
): Promise<{ app: App; config: GateConfig; dataDir: string; policyDir: string; remove(): void }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-data-'));
  const policyDir = mkdtempSync(path.join(os.tmpdir(), 'gate-policies-'));
  cpSync(path.resolve('policies'), policyDir, { recursive: true });
  const config = loadConfig({
    GATE_API_PORT: '0',
    GATE_WEBHOOK_PORT: '0',
    GATE_BIND_ADDRESS: '127.0.0.1',
    GATE_DATA_DIR: dataDir,
    GATE_POLICY_DIR: policyDir,
    GATE_KEYS_DIR: path.resolve('examples/keys/trusted'),
    GATE_API_TOKEN: TEST_TOKEN,
    GATE_AUDIT_LINGER_MS: '1',
    ...env,
  });
  const app = await createApp({
    config,
    logger: silentLogger,
    writerId: 'test-writer',
    version: 'test',
    ...overrides,
  });
  const remove = (): void => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(policyDir, { recursive: true, force: true });
  };
  return { app, config, dataDir, policyDir, remove };
}

export async function startGate(
  env: Record<string, string> = {},
  overrides: Partial<AppOptions> = {},
): Promise<RunningGate> {
  const { app, dataDir, policyDir, remove } = await createTestApp(env, overrides);
  const { apiPort } = await app.start();
  return {
    app,
    dataDir,
    policyDir,
    url: `http://127.0.0.1:${apiPort}`,
    auth: { authorization: `Bearer ${TEST_TOKEN}` },
    async stop() {
      await app.stop();
      remove();
    },
  };
}

export async function postJson(
  gate: RunningGate,
  p: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${gate.url}${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...gate.auth, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export async function getJson(
  gate: RunningGate,
  p: string,
  headers: Record<string, string> = gate.auth,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gate.url}${p}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
