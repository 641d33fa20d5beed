// JSON-lines logger to a writable (stderr by default, injected by main).
// Callers pass fields, never request bodies; keys that look secret are masked
// as a second line of defence.
import type { Logger } from '../core/ports/runtime.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;
const SECRET_KEY = /pass|secret|token|authorization|cookie|private|credential|api_?key/i;

export function createLogger(out: { write(s: string): unknown }, level: LogLevel, now: () => Date): Logger {
  const emit =
    (lvl: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      if (LEVELS[lvl] < LEVELS[level]) return;
      const safe: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields)) safe[k] = SECRET_KEY.test(k) ? '[redacted]' : v;
      out.write(`${JSON.stringify({ time: now().toISOString(), level: lvl, msg, ...safe })}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
