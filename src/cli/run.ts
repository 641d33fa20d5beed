// Dispatch: the leading words pick the command (the longest that matches),
// the rest are that command's options, parsed strictly (an unknown or
// misspelt flag is a usage error, never ignored).
import { parseArgs } from 'node:util';

type ParseArgsOptionsConfig = Record<string, { type: 'string' | 'boolean'; short?: string }>;
import type { Command, CommandIo, Values } from './command.js';
import { COMMANDS } from './commands/index.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import { commandHelp, commandUsage, topHelp } from './help.js';

const COMMON: ParseArgsOptionsConfig = {
  help: { type: 'boolean', short: 'h' },
  output: { type: 'string', short: 'o' },
  // Kept from earlier releases: the same as --output json.
  json: { type: 'boolean' },
};

function findCommand(words: string[]): Command | undefined {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.words.every((w, i) => words[i] === w) && (!best || c.words.length > best.words.length)) best = c;
  }
  return best;
}

export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  if (argv.length === 0) {
    io.err(topHelp(COMMANDS));
    return EXIT.usage;
  }
  if (argv[0] === '--help' || argv[0] === '-h') return print(io, topHelp(COMMANDS));
  if (argv[0] === '--version') argv = ['version', ...argv.slice(1)];
  if (argv[0] === 'help') return helpCommand(io, argv.slice(1));
  const command = findCommand(argv);
  if (!command) return noCommand(io, argv);
  const rest = argv.slice(command.words.length);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...COMMON, ...optionsFor(command) },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new CliError(
      `${e instanceof Error ? e.message : String(e)}\nusage: ${commandUsage(command)}  (--help for options)`,
      EXIT.usage,
    );
  }
  const values = parsed.values as Values;
  if (values.help === true) return print(io, commandHelp(command));
  if (!command.args && parsed.positionals.length > 0)
    throw usageError(`unexpected argument "${parsed.positionals[0]}" for ${command.words.join(' ')}`);
  return command.run({ values, positionals: parsed.positionals, io });
}

function helpCommand(io: CommandIo, words: string[]): number {
  if (words.length === 0) return print(io, topHelp(COMMANDS));
  const c = findCommand(words);
  if (!c) throw usageError(`no command "${words.join(' ')}"`);
  return print(io, commandHelp(c));
}

/** `policy` alone (or `policy --help`) lists the group; anything else is unknown. */
function noCommand(io: CommandIo, argv: string[]): number {
  const group = COMMANDS.filter((c) => c.words[0] === argv[0]);
  if (group.length > 0 && (argv.length === 1 || argv[1]!.startsWith('-'))) {
    if (argv.includes('--help') || argv.includes('-h')) return print(io, group.map(commandUsage).join('\n'));
    throw usageError(
      `"${argv[0]}" needs a subcommand: ${group.map((c) => c.words.slice(1).join(' ')).join(', ')}`,
    );
  }
  throw usageError(
    `unknown command "${argv
      .filter((a) => !a.startsWith('-'))
      .slice(0, 2)
      .join(' ')}"`,
  );
}

/** Only what parseArgs reads: the descriptions stay ours. */
function optionsFor(c: Command): ParseArgsOptionsConfig {
  return Object.fromEntries(
    Object.entries(c.options).map(([n, o]) => [
      n,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
}

function print(io: CommandIo, text: string): number {
  io.out(text);
  return EXIT.ok;
}
