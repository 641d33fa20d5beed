// Shell completion scripts, generated from the command table so they name
// exactly the commands and options that exist. bash: `complete -F`; zsh: a
// `#compdef` function usable from fpath or by `source <(...)`.
import type { Command } from './command.js';

const GLOBAL = ['--help', '--output'];

function optionsOf(c: Command): string[] {
  const opts = Object.keys(c.options).map((o) => `--${o}`);
  return [...opts, ...GLOBAL];
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function bashCompletion(commands: readonly Command[]): string {
  const firsts = [...new Set(commands.map((c) => c.words[0]!))];
  const cases: string[] = [];
  for (const first of firsts) {
    const subs = commands.filter((c) => c.words[0] === first && c.words.length > 1).map((c) => c.words[1]!);
    if (subs.length > 0) cases.push(`    ${first}) subs=${q(subs.join(' '))} ;;`);
  }
  const optCases = commands.map((c) => `    ${q(c.words.join(' '))}) opts=${q(optionsOf(c).join(' '))} ;;`);
  const fileOpts = [
    ...new Set(
      commands.flatMap((c) =>
        Object.entries(c.options)
          .filter(([, o]) => o.completeFiles)
          .map(([n]) => `--${n}`),
      ),
    ),
  ];
  const outputs = ['text', 'json', 'yaml', 'sarif'];
  return `# bash completion for migration-gate: source <(migration-gate completion bash)
_migration_gate() {
  local cur prev words cword
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local first="\${COMP_WORDS[1]}" second="\${COMP_WORDS[2]}"
  case " ${fileOpts.join(' ')} " in *" $prev "*) COMPREPLY=( $(compgen -f -- "$cur") ); return ;; esac
  if [ "$prev" = "--output" ] || [ "$prev" = "-o" ]; then COMPREPLY=( $(compgen -W ${q(outputs.join(' '))} -- "$cur") ); return; fi
  if [ "$COMP_CWORD" -eq 1 ]; then COMPREPLY=( $(compgen -W ${q([...firsts, 'help'].join(' '))} -- "$cur") ); return; fi
  local subs=""
  case "$first" in
${cases.join('\n')}
  esac
  if [ "$COMP_CWORD" -eq 2 ] && [ -n "$subs" ]; then COMPREPLY=( $(compgen -W "$subs" -- "$cur") ); return; fi
  local opts="" key="$first"
  [ -n "$subs" ] && key="$first $second"
  case "$key" in
${optCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W "$opts" -- "$cur") ); else COMPREPLY=( $(compgen -f -- "$cur") ); fi
}
complete -F _migration_gate migration-gate
`;
}

export function zshCompletion(commands: readonly Command[]): string {
  const firsts = [...new Set(commands.map((c) => c.words[0]!))];
  const desc = (c: Command): string => c.summary.replace(/[:'[\]]/g, ' ');
  const top = firsts.map((f) => {
    const c = commands.find((x) => x.words[0] === f)!;
    return `    ${q(`${f}:${c.words.length > 1 ? `${f} commands` : desc(c)}`)}`;
  });
  const subCases = firsts
    .filter((f) => commands.some((c) => c.words[0] === f && c.words.length > 1))
    .map((f) => {
      const subs = commands
        .filter((c) => c.words[0] === f && c.words.length > 1)
        .map((c) => q(`${c.words[1]}:${desc(c)}`));
      return `      ${f}) local -a subs; subs=(${subs.join(' ')}); _describe -t commands ${q(`${f} command`)} subs; return ;;`;
    });
  const optCases = commands.map((c) => {
    const specs = Object.entries(c.options).map(([n, o]) => {
      const d = o.description.replace(/[:'[\]\\]/g, ' ');
      if (o.type === 'boolean') return q(`--${n}[${d}]`);
      const action = o.choices ? `(${o.choices.join(' ')})` : o.completeFiles ? '_files' : ' ';
      return q(`--${n}[${d}]:${o.valueName ?? 'value'}:${action}`);
    });
    specs.push(
      q("--help[show this command's help]".replace(/'/g, ' ')),
      q('--output[output format]:format:(text json yaml sarif)'),
    );
    return `      ${q(c.words.join(' '))}) _arguments ${specs.join(' ')} '*:file:_files' ;;`;
  });
  return `#compdef migration-gate
# zsh completion for migration-gate: source <(migration-gate completion zsh), or save as _migration-gate in $fpath
_migration-gate() {
  local -a top
  top=(
${top.join('\n')}
  )
  if (( CURRENT == 2 )); then _describe -t commands 'migration-gate command' top; return; fi
  if (( CURRENT == 3 )); then
    case $words[2] in
${subCases.join('\n')}
    esac
  fi
  local key="$words[2]"
  case "$words[2] $words[3]" in
${commands
  .filter((c) => c.words.length > 1)
  .map((c) => `      ${q(c.words.join(' '))}) key=${q(c.words.join(' '))} ;;`)
  .join('\n')}
  esac
  case "$key" in
${optCases.join('\n')}
  esac
}
if [[ "$funcstack[1]" == "_migration-gate" ]]; then _migration-gate "$@"; else compdef _migration-gate migration-gate 2>/dev/null; fi
`;
}
