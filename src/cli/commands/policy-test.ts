// `policy test DIR`: run every fixture under DIR (policy-cases.ts) against
// a policy directory and compare the decision and the rule ids with
// expected.json. 0 all passed, 1 any failed, 2 no cases or a bad fixture.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DecisionReport } from '../../core/contracts/report.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../core/replication/pipeline.js';
import type { GateContext } from '../../services/gate-context.js';
import { validateConfig } from '../../services/validation/validate-config.js';
import { validateReplication } from '../../services/validation/validate-replication.js';
import type { Command } from '../command.js';
import { keysDirOf, POLICY_OPTIONS, policyDirOf } from '../common-options.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { localGate } from '../local-gate.js';
import { emit, outputFormatOf } from '../output.js';
import { findCases, type PolicyCase } from '../policy-cases.js';
import { replicationRequestFromFiles } from '../replication-files.js';
import { table } from '../table.js';

export interface CaseResult {
  case: string;
  scenario: 'T1' | 'T2';
  expected: { decision: string; rules: string[] };
  got: { decision: string; rules: string[] };
  result: 'pass' | 'fail';
  reason?: string;
}

async function judge(gate: GateContext, c: PolicyCase): Promise<DecisionReport> {
  const f = c.files;
  const signature = f.signature
    ? { kind: 'detached' as const, bytes: await readFile(f.signature) }
    : f.dsse
      ? { kind: 'dsse' as const, bytes: await readFile(f.dsse) }
      : undefined;
  if (c.scenario === 'T1') {
    const env = c.expected.env;
    return validateConfig(
      gate,
      {
        manifest: await readFile(f.manifest!),
        config: await readFile(f.config!),
        ...(signature ? { signature } : {}),
        subject: { source: 'cli' },
        ...(env
          ? {
              envBinding: {
                allowed: [env],
                rule: 'env-mismatch',
                by: `the test case (${c.name}/expected.json env)`,
              },
            }
          : {}),
      },
      { requestId: gate.ids.next(), source: 'cli', maxConfigBytes: 1024 * 1024, dryRun: true },
    );
  }
  const req = await replicationRequestFromFiles({
    manifest: f.manifest!,
    snapshot: f.snapshot!,
    ...(f.walDir ? { walDir: f.walDir } : {}),
    ...(f.signature
      ? { signature: { kind: 'detached', file: f.signature } }
      : f.dsse
        ? { signature: { kind: 'dsse', file: f.dsse } }
        : {}),
  });
  return validateReplication(
    gate,
    { ...req, subject: { source: 'cli' } },
    { requestId: gate.ids.next(), source: 'cli', dryRun: true, limits: DEFAULT_REPLICATION_LIMITS },
  );
}

function compare(c: PolicyCase, report: DecisionReport): CaseResult {
  const want = [...new Set([...(c.expected.rule ? [c.expected.rule] : []), ...(c.expected.rules ?? [])])];
  const named = new Set([
    ...report.findings.map((x) => x.rule),
    ...report.reasons.map((r) => /^\[([a-z0-9-]+)\]/.exec(r)?.[1] ?? ''),
  ]);
  const got = [...new Set(report.findings.map((x) => x.rule))];
  const missing = want.filter((r) => !named.has(r));
  const problems = [
    ...(report.decision !== c.expected.decision
      ? [`decision ${report.decision}, expected ${c.expected.decision}`]
      : []),
    ...(missing.length > 0 ? [`rule(s) not reported: ${missing.join(', ')}`] : []),
  ];
  return {
    case: c.name,
    scenario: c.scenario,
    expected: { decision: c.expected.decision, rules: want },
    got: { decision: report.decision, rules: got },
    result: problems.length === 0 ? 'pass' : 'fail',
    ...(problems.length > 0 ? { reason: problems.join('; ') } : {}),
  };
}

function text(results: CaseResult[], policyDir: string): string {
  const rows = results.map((r, i) => [
    String(i + 1),
    r.case,
    r.scenario,
    `${r.expected.decision} ${r.expected.rules.join(',') || '-'}`,
    `${r.got.decision} ${r.got.rules.join(',') || '-'}`,
    r.result === 'pass' ? 'Pass' : 'Fail',
    r.reason ?? '',
  ]);
  const passed = results.filter((r) => r.result === 'pass').length;
  return [
    `Testing ${results.length} case(s) against ${policyDir}`,
    '',
    table(['ID', 'CASE', 'SCENARIO', 'EXPECTED', 'GOT', 'RESULT', 'REASON'], rows),
    '',
    `Test Summary: ${passed} tests passed and ${results.length - passed} tests failed`,
  ].join('\n');
}

export const policyTestCommand: Command = {
  words: ['policy', 'test'],
  args: 'DIR',
  summary: 'run fixtures (config + manifest + expected.json) against a policy directory, like kyverno test',
  options: { ...POLICY_OPTIONS },
  outputs: ['text', 'json', 'yaml'],
  details: [
    'A case is any directory under DIR with an expected.json:',
    '  {"decision": "ALLOW|BLOCK", "rule": "id", "rules": ["id", ...], "env": "prod|staging"}',
    'beside migration_manifest.json + app-config.yaml (T1) or replication_manifest.yaml + snapshot.tar.gz [+ wal/] (T2),',
    "with the manifest's .sig or .dsse.json when it is signed. A case passes when the decision matches and every",
    'expected rule id is reported.',
    'exit codes: 0 all cases passed, 1 a case failed, 2 no cases / a bad fixture / usage',
  ].join('\n'),
  async run({ values, positionals, io }) {
    const format = outputFormatOf(values, ['text', 'json', 'yaml']);
    if (positionals.length !== 1) throw usageError('give exactly one DIR of test cases');
    const root = path.resolve(io.cwd, positionals[0]!);
    const cases = await findCases(root);
    if (cases.length === 0)
      throw new CliError(
        `no test cases (directories with an expected.json) under ${positionals[0]}`,
        EXIT.usage,
      );
    const policyDir = policyDirOf(values, io);
    const gate = await localGate(policyDir, keysDirOf(values, io, policyDir));
    const results: CaseResult[] = [];
    for (const c of cases) results.push(compare(c, await judge(gate, c)));
    const failed = results.filter((r) => r.result === 'fail').length;
    emit(io, format, {
      text: () => text(results, policyDir),
      data: { policy_dir: policyDir, passed: results.length - failed, failed, results },
    });
    return failed === 0 ? EXIT.ok : EXIT.negative;
  },
};
