// Process entry: the only reader of process.env and signals; exit codes.
//   0 stopped cleanly, 1 failed while running, 78 bad configuration (EX_CONFIG).
import os from 'node:os';
import { loadConfig } from './config/load.js';
import { isGateError, describeError } from './core/errors.js';
import { createApp } from './app.js';
import { writerIdFrom } from './config/writer-id.js';
import { createLogger } from './adapters/log.js';
import { VERSION } from './version.js';

function writerIdFromHost(env: NodeJS.ProcessEnv): string {
  return writerIdFrom(env.POD_NAME ?? os.hostname());
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    process.stderr.write(`migration-gate: ${describeError(e)}\n`);
    process.exit(78);
  }
  const logger = createLogger(process.stderr, config.logLevel, () => new Date());
  const app = await createApp({
    config,
    logger,
    writerId: config.writerId ?? writerIdFromHost(process.env),
    version: VERSION,
  }).catch((e: unknown) => {
    process.stderr.write(`migration-gate: cannot start: ${describeError(e)}\n`);
    process.exit(isGateError(e) && e.code === 'config-invalid' ? 78 : 1);
  });
  // A start that fails (a port in use, TLS that cannot load) is one line
  // naming the setting and a non-zero exit, never an unhandled rejection
  // that lets the process end 0 with nothing listening.
  const ports = await app.start().catch(async (e: unknown) => {
    process.stderr.write(`migration-gate: cannot start: ${describeError(e)}\n`);
    await Promise.race([app.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 3_000).unref())]);
    process.exit(isGateError(e) && e.code === 'config-invalid' ? 78 : 1);
  });
  if (app.tokenFile)
    logger.info('generated a local API token (mode 0600); send it as "Authorization: Bearer <token>"', {
      file: app.tokenFile,
    });
  // SIGTERM (Kubernetes, compose): drain, then stop. A second signal during
  // the drain stops at once: an operator pressing Ctrl-C again means it.
  const drainMs = config.shutdownDrainSeconds * 1000;
  let phase: 'running' | 'draining' | 'stopping' = 'running';
  const stop = (signal: string): void => {
    if (phase === 'stopping') return;
    const drain = phase === 'running' && drainMs > 0;
    phase = drain ? 'draining' : 'stopping';
    if (drain) {
      logger.info('stopping after the drain', { signal, drain_seconds: config.shutdownDrainSeconds });
      app.drain();
      setTimeout(() => stop(signal), drainMs);
      return;
    }
    logger.info('stopping', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Only now: whoever waits for this line (a test, an operator's script) may
  // signal at once, and a signal before the handlers would kill the process
  // with no drain and no exit code of ours.
  logger.info('migration-gate started', { version: VERSION, ...ports });
}

process.on('unhandledRejection', (e) => {
  process.stderr.write(
    `migration-gate: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
  );
  // Whatever ends the process afterwards must not report success.
  process.exitCode = 1;
});

void main();
