// One CLI command: its words, its own options and help, and what it runs.
// The table in commands/index.ts is the only list: help, dispatch and the
// shell completions are all generated from it, so they cannot disagree.

export type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean } & {
  description: string;
  valueName?: string;
  choices?: readonly string[];
  completeFiles?: boolean;
};

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Where relative paths are resolved (the caller's working directory). */
  cwd: string;
}

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandRun {
  values: Values;
  positionals: string[];
  io: CommandIo;
}

export interface Command {
  /** e.g. ['policy', 'test']. */
  words: readonly string[];
  summary: string;
  /** Positional arguments, for the usage line (e.g. 'DIR'). */
  args?: string;
  /** Extra lines after the options in --help. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Allowed --output formats; the first is the default. */
  outputs?: readonly OutputFormat[];
  run(ctx: CommandRun): Promise<number>;
}

export const OUTPUT_FORMATS = ['text', 'json', 'yaml', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
