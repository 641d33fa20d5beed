// The process-wide services every layer is handed instead of reaching for a
// global: the time, fresh ids, a structured logger (adapters/system.ts,
// adapters/log.ts; tests pass fakes).

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}
