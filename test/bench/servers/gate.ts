// The real gate (file audit sink, bundled policies) for benchmarks. Prints
// "<apiPort> <token>" on stdout.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/adapters/log.js';

const token = 'bench-token-0123456789abcdef';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gate-bench-'));
const config = loadConfig({
  GATE_API_PORT: '0',
  GATE_WEBHOOK_PORT: '0',
  GATE_BIND_ADDRESS: '127.0.0.1',
  GATE_DATA_DIR: dataDir,
  GATE_POLICY_DIR: path.resolve('policies'),
  GATE_KEYS_DIR: path.resolve('examples/keys/trusted'),
  GATE_API_TOKEN: token,
  ...(process.env.BENCH_GATE_ENV ? (JSON.parse(process.env.BENCH_GATE_ENV) as Record<string, string>) : {}),
});
const app = await createApp({ config, logger: silentLogger, writerId: 'bench', version: 'bench' });
const ports = (await app.start()) as { apiPort: number; webhookPort?: number };
console.log(`${ports.apiPort} ${token} ${dataDir} ${ports.webhookPort ?? 0}`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
