// `serve`: the gate itself (src/main.ts reads its settings from the environment).
import type { Command } from '../command.js';

export const SERVE_RUNNING = -1;

export const serveCommand: Command = {
  words: ['serve'],
  summary: 'run the gate (webhook and API); settings from GATE_* environment variables, see README',
  options: {},
  outputs: ['text'],
  async run() {
    await import('../../main.js');
    return SERVE_RUNNING;
  },
};
