#!/usr/bin/env node
// migration-gate CLI entry: `migration-gate --help` lists the commands
// (src/cli/commands/), `migration-gate <command> --help` their options.
// Exit codes (src/cli/exit-codes.ts): 0 ALLOW / intact / passed, 1 BLOCK /
// broken / failed, 2 usage, bad input or credentials refused, 3 the server
// could not be reached or failed.
import { CliError, EXIT } from './cli/exit-codes.js';
import { SERVE_RUNNING } from './cli/commands/serve.js';
import { runCli } from './cli/run.js';

const line = (s: string): string => (s.endsWith('\n') ? s : `${s}\n`);

runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(line(s)),
  err: (s) => process.stderr.write(line(s)),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    if (code !== SERVE_RUNNING) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof CliError) {
      process.stderr.write(
        `migration-gate: ${e.message}\n${e.showUsage ? 'usage: migration-gate <command> [options]   (`migration-gate --help` lists the commands, `<command> --help` their options)\n' : ''}`,
      );
      process.exitCode = e.exitCode;
      return;
    }
    // Anything else is a failure to decide, never a verdict.
    process.stderr.write(`migration-gate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.usage;
  },
);
