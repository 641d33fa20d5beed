// --help texts, generated from the command table.
import type { Command, OptionSpec } from './command.js';
import { EXIT_CODE_TABLE } from './exit-codes.js';

const ENV = [
  ['GATE_SERVER', 'default for --server (the validate commands then ask that server; --local overrides)'],
  ['GATE_API_TOKEN', 'default for --token'],
  ['GATE_POLICY_DIR', 'default for --policies (otherwise the policies shipped with the CLI)'],
  ['GATE_KEYS_DIR', 'default for --keys'],
  ['GATE_DATA_DIR', 'where `audit verify` looks for audit.jsonl (default ./data)'],
] as const;

function optionLine(name: string, o: OptionSpec): string {
  const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`;
  return `  ${flag.padEnd(34)} ${o.description}`;
}

export function commandUsage(c: Command): string {
  return `migration-gate ${c.words.join(' ')}${c.args ? ` ${c.args}` : ''}${Object.keys(c.options).length > 0 ? ' [options]' : ''}`;
}

export function commandHelp(c: Command): string {
  const outputs = c.outputs ?? ['text'];
  const lines = [
    `usage: ${commandUsage(c)}`,
    '',
    c.summary,
    '',
    'options:',
    ...Object.entries(c.options).map(([n, o]) => optionLine(n, o)),
    ...(outputs.length > 1
      ? [
          optionLine('output', {
            type: 'string',
            short: 'o',
            valueName: outputs.join('|'),
            description: `output format (default ${outputs[0]})`,
          }),
        ]
      : []),
    optionLine('help', { type: 'boolean', short: 'h', description: 'show this help' }),
  ];
  if (c.details) lines.push('', c.details);
  return lines.join('\n');
}

export function topHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length + (c.args ? c.args.length + 1 : 0)));
  return [
    'usage: migration-gate <command> [options]',
    '',
    'commands:',
    ...commands.map(
      (c) => `  ${`${c.words.join(' ')}${c.args ? ` ${c.args}` : ''}`.padEnd(width)}  ${c.summary}`,
    ),
    '',
    "Run `migration-gate <command> --help` for a command's options.",
    '',
    'environment:',
    ...ENV.map(([k, v]) => `  ${k.padEnd(16)} ${v}`),
    '',
    'exit codes:',
    ...EXIT_CODE_TABLE.map(([code, meaning]) => `  ${code}  ${meaning}`),
  ].join('\n');
}
