// `policy lint DIR`: what the gate would say loading DIR (every error, on
// the line of the rule it is about), plus advice the gate does not enforce:
// a rule without a description, a critical rule that only warns in prod, a
// file that does not name the JSON Schema for editors. 0 clean (warnings
// allowed unless --strict), 1 errors, 2 usage.
import path from 'node:path';
import { compilePolicySet } from '../../core/policy/compile.js';
import { parsePolicyFile } from '../../core/policy/parse-policy-file.js';
import type { PolicyRule } from '../../core/contracts/policy-file.js';
import { readPolicyDir } from '../../adapters/policy-files.js';
import type { Command } from '../command.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { emit, outputFormatOf } from '../output.js';
import { artifactUri } from '../report-sarif.js';
import { sarifLog } from '../sarif.js';

export interface LintFinding {
  level: 'error' | 'warning' | 'note';
  file: string;
  rule?: string;
  check: string;
  message: string;
  line: number;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function lineOfRule(text: string, id: string | undefined): number {
  if (!id) return 1;
  const lines = text.split(/\r?\n/);
  const re = new RegExp(`^\\s*(?:-\\s+)?id:\\s*["']?${escape(id)}["']?\\s*(?:#.*)?$`);
  const i = lines.findIndex((l) => re.test(l));
  return i >= 0 ? i + 1 : 1;
}

function loadErrors(files: ReadonlyArray<{ name: string; text: string }>): LintFinding[] {
  const compiled = compilePolicySet(files);
  if (compiled.ok) return [];
  const byName = new Map(files.map((f) => [f.name, f.text]));
  return compiled.errors.map((e): LintFinding => {
    const m = /^([^:]+\.ya?ml): (?:rule "([^"]+)": )?/.exec(e);
    const file = m?.[1] ?? files[0]?.name ?? '(policy set)';
    const yamlLine = /line (\d+)/.exec(e)?.[1];
    const line = m?.[2] ? lineOfRule(byName.get(file) ?? '', m[2]) : Number(yamlLine ?? 1);
    return {
      level: 'error',
      file,
      ...(m?.[2] ? { rule: m[2] } : {}),
      check: 'policy-load',
      message: e,
      line,
    };
  });
}

function ruleAdvice(file: string, text: string, rule: PolicyRule): LintFinding[] {
  const out: LintFinding[] = [];
  const line = lineOfRule(text, rule.id);
  if (!rule.description) {
    out.push({
      level: 'warning',
      file,
      rule: rule.id,
      check: 'rule-description',
      line,
      message: `rule "${rule.id}" has no description: say what an absent field means, so readers know why it blocks`,
    });
  }
  const envs = rule.environments ?? ['prod', 'staging'];
  const prodAction = typeof rule.action === 'string' ? rule.action : rule.action.prod;
  if (rule.severity === 'critical' && envs.includes('prod') && prodAction === 'warn') {
    out.push({
      level: 'warning',
      file,
      rule: rule.id,
      check: 'critical-warns-in-prod',
      line,
      message: `rule "${rule.id}" is critical but only warns in prod`,
    });
  }
  return out;
}

export function lintPolicyFiles(files: ReadonlyArray<{ name: string; text: string }>): LintFinding[] {
  const out = loadErrors(files);
  for (const f of files) {
    if (!/^#\s*yaml-language-server:\s*\$schema=/m.test(f.text)) {
      out.push({
        level: 'note',
        file: f.name,
        check: 'schema-comment',
        line: 1,
        message: `${f.name}: no "# yaml-language-server: $schema=..." line; editors cannot validate it (see \`migration-gate policy schema\`)`,
      });
    }
    const parsed = parsePolicyFile(f);
    if (parsed.ok) for (const rule of parsed.file.rules) out.push(...ruleAdvice(f.name, f.text, rule));
  }
  return out;
}

function text(findings: LintFinding[], dir: string, files: number): string {
  const lines = findings.map((f) => `${f.file}:${f.line}: ${f.level}: [${f.check}] ${f.message}`);
  const errors = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.filter((f) => f.level === 'warning').length;
  return [...lines, `${files} file(s) in ${dir}: ${errors} error(s), ${warnings} warning(s)`].join('\n');
}

export const policyLintCommand: Command = {
  words: ['policy', 'lint'],
  args: 'DIR',
  summary: 'check a policy directory as the gate would load it, plus advice',
  options: { strict: { type: 'boolean', description: 'warnings fail too (exit 1)' } },
  outputs: ['text', 'json', 'yaml', 'sarif'],
  details: 'exit codes: 0 no errors (and no warnings with --strict), 1 errors, 2 usage or unreadable DIR',
  async run({ values, positionals, io }) {
    const format = outputFormatOf(values, ['text', 'json', 'yaml', 'sarif']);
    if (positionals.length !== 1) throw usageError('give exactly one policy DIR');
    const dir = path.resolve(io.cwd, positionals[0]!);
    let files;
    try {
      files = await readPolicyDir(dir);
    } catch (e) {
      throw new CliError(
        `cannot read the policy directory ${positionals[0]} (${(e as { code?: string }).code ?? String(e)})`,
        EXIT.usage,
      );
    }
    const findings =
      files.length === 0
        ? [
            {
              level: 'error' as const,
              file: positionals[0]!,
              check: 'policy-load',
              message: 'no policy files (*.yaml): the gate refuses an empty policy set',
              line: 1,
            },
          ]
        : lintPolicyFiles(files);
    emit(io, format, {
      text: () => text(findings, positionals[0]!, files.length),
      data: { dir, files: files.map((f) => f.name), findings },
      sarif: () =>
        sarifLog(
          findings.map((f) => ({
            rule: f.check,
            level: f.level,
            message: f.message,
            file: artifactUri(files.some((x) => x.name === f.file) ? path.join(dir, f.file) : dir, io.cwd),
            region: { startLine: f.line },
            ...(f.rule ? { properties: { policy_rule: f.rule } } : {}),
          })),
        ),
    });
    const errors = findings.some((f) => f.level === 'error');
    const warnings = findings.some((f) => f.level === 'warning');
    return errors || (values.strict === true && warnings) ? EXIT.negative : EXIT.ok;
  },
};
