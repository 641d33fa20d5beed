// The completion scripts, run by the real shells.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { bashCompletion, zshCompletion } from '../../src/cli/completion.js';

function bashComplete(words: string[]): string[] {
  const script = `${bashCompletion(COMMANDS)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _migration_gate; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', script], { encoding: 'utf8', cwd: os.tmpdir() })
    .split('\n')
    .filter(Boolean);
}

describe('shell completion', () => {
  it("bash completes commands, subcommands, each command's options and --output values", () => {
    expect(bashComplete(['migration-gate', 'pol'])).to.deep.equal(['policy']);
    expect(bashComplete(['migration-gate', 'policy', ''])).to.have.members(['test', 'lint', 'schema']);
    expect(bashComplete(['migration-gate', 'audit', 'logs', '--fo'])).to.deep.equal(['--follow']);
    expect(bashComplete(['migration-gate', 'validate', 'migration', '--sig'])).to.deep.equal(['--signature']);
    expect(bashComplete(['migration-gate', 'version', '--output', 's'])).to.deep.equal(['sarif']);
    expect(bashComplete(['migration-gate', 've'])).to.deep.equal(['version']);
    for (const c of COMMANDS)
      for (const o of Object.keys(c.options)) {
        expect(
          bashComplete(['migration-gate', ...c.words, `--${o}`]),
          `${c.words.join(' ')} --${o}`,
        ).to.include(`--${o}`);
      }
  });

  it('zsh loads the completion function (syntax and compdef), naming every command and option', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'zsh-comp-'));
    try {
      const file = path.join(dir, '_migration-gate');
      const script = zshCompletion(COMMANDS);
      writeFileSync(file, script);
      execFileSync('zsh', ['-n', file]);
      const out = execFileSync(
        'zsh',
        [
          '-fc',
          `autoload -Uz compinit && compinit -u -d ${dir}/.zcompdump && source ${file} && whence -w _migration-gate && print -r -- $_comps[migration-gate]`,
        ],
        { encoding: 'utf8' },
      );
      expect(out).to.contain('_migration-gate: function');
      expect(out.trim().split('\n').at(-1)).to.equal('_migration-gate');
      for (const c of COMMANDS) {
        expect(script).to.contain(`'${c.words.join(' ')}')`);
        for (const o of Object.keys(c.options)) expect(script).to.contain(`--${o}[`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
