// `completion bash|zsh`: prints the script (see ../completion.ts).
import type { Command } from '../command.js';
import { bashCompletion, zshCompletion } from '../completion.js';
import { EXIT, usageError } from '../exit-codes.js';

export function completionCommand(all: () => readonly Command[]): Command {
  return {
    words: ['completion'],
    args: 'bash|zsh',
    summary: 'print a shell completion script',
    options: {},
    outputs: ['text'],
    details:
      'bash: source <(migration-gate completion bash)\nzsh:  source <(migration-gate completion zsh)   (or save it as _migration-gate in a directory of $fpath)',
    async run({ positionals, io }) {
      const shell = positionals[0];
      if (positionals.length !== 1 || (shell !== 'bash' && shell !== 'zsh'))
        throw usageError('give the shell: completion bash | completion zsh');
      io.out(shell === 'bash' ? bashCompletion(all()) : zshCompletion(all()));
      return EXIT.ok;
    },
  };
}
