// Every CLI command and exit code, through the real process, run from a
// directory outside the repository (as a pipeline would after `npm i -g`).
import { expect } from 'chai';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VERSION } from '../../src/version.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { EXIT_CODE_TABLE } from '../../src/cli/exit-codes.js';
import { REPO, runCli } from '../support/cli-process.js';
import { sarifErrors } from '../support/sarif-schema.js';

const EX = path.join(REPO, 'examples');
const KEYS = path.join(EX, 'keys', 'trusted');
const t1 = (dir: string, signed = true): string[] => [
  '--manifest',
  path.join(EX, dir, 'migration_manifest.json'),
  '--config',
  path.join(EX, dir, 'app-config.yaml'),
  ...(signed ? ['--signature', path.join(EX, dir, 'migration_manifest.json.sig')] : []),
  '--keys',
  KEYS,
];

describe('CLI commands (spawned, from outside the repository)', function () {
  this.timeout(120_000);
  let cwd: string;
  before(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'gate-cli-cwd-'));
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));
  const cli = (...args: string[]): ReturnType<typeof runCli> => runCli(args, { cwd });

  describe('version and help', () => {
    it('version prints the package version, as text and as json; --version is the same', async () => {
      const text = await cli('version');
      expect(text.code).to.equal(0);
      expect(text.stdout).to.contain(`migration-gate ${VERSION}`);
      const json = await cli('version', '--output', 'json');
      expect(JSON.parse(json.stdout)).to.include({ version: VERSION, node: process.versions.node });
      expect((await cli('--version')).stdout).to.equal(text.stdout);
    });

    it('--help lists every command, the environment fallbacks and the exit code table', async () => {
      const res = await cli('--help');
      expect(res.code).to.equal(0);
      for (const c of COMMANDS) expect(res.stdout).to.contain(c.words.join(' '));
      for (const v of ['GATE_SERVER', 'GATE_API_TOKEN', 'GATE_POLICY_DIR']) expect(res.stdout).to.contain(v);
      for (const [code, meaning] of EXIT_CODE_TABLE) expect(res.stdout).to.contain(`${code}  ${meaning}`);
    });

    it('every command has its own --help naming each of its options (and `help CMD` says the same)', async () => {
      for (const c of COMMANDS) {
        const res = await cli(...c.words, '--help');
        expect(res.code, c.words.join(' ')).to.equal(0);
        expect(res.stdout).to.contain(`usage: migration-gate ${c.words.join(' ')}`);
        for (const o of Object.keys(c.options))
          expect(res.stdout, `${c.words.join(' ')} --${o}`).to.contain(`--${o}`);
      }
      expect((await cli('help', 'policy', 'test')).stdout).to.equal(
        (await cli('policy', 'test', '-h')).stdout,
      );
    });

    it('exit 2 with usage on stderr: no command, unknown command, unknown flag, stray argument, a group without its subcommand', async () => {
      for (const args of [
        [],
        ['frobnicate'],
        ['version', '--bogus'],
        ['version', 'extra'],
        ['policy'],
        ['validate', 'migration', '--output', 'xml', ...t1('t1_good')],
      ]) {
        const res = await cli(...args);
        expect(res.code, args.join(' ')).to.equal(2);
        expect(res.stderr, args.join(' ')).to.match(/usage/);
        expect(res.stdout, args.join(' ')).to.equal('');
      }
    });
  });

  describe('validate with the shipped policies', () => {
    it('works from any directory: the policies shipped with the CLI, not ./policies', async () => {
      // A ./policies here that would allow everything must not be picked up silently.
      mkdirSync(path.join(cwd, 'policies'), { recursive: true });
      writeFileSync(path.join(cwd, 'policies', 'x.yaml'), 'not: a policy set\n');
      const good = await cli('validate', 'migration', ...t1('t1_good'));
      expect(good.code, good.stderr).to.equal(0);
      expect(good.stdout).to.match(/^ALLOW {2}T1/);
      const bad = await cli('validate', 'migration', ...t1('t1_bad/tls-off-prod', false));
      expect(bad.code).to.equal(1);
      expect(bad.stdout).to.contain('[prod-requires-tls]');
      rmSync(path.join(cwd, 'policies'), { recursive: true });
    });

    it('--policies and GATE_POLICY_DIR choose another policy directory; a broken one is exit 2 naming the error', async () => {
      const dir = path.join(cwd, 'strict');
      mkdirSync(dir, { recursive: true });
      copyFileSync(path.join(REPO, 'policies', 'baseline.yaml'), path.join(dir, 'baseline.yaml'));
      writeFileSync(
        path.join(dir, 'extra.yaml'),
        [
          'apiVersion: migrationgate.io/v1alpha1',
          'kind: PolicySet',
          'metadata: {name: extra}',
          'rules:',
          '  - {id: no-orders, scenario: T1, severity: high, action: block, expression: "manifest.app_id != \'orders-api\'", message: orders-api is frozen}',
          '',
        ].join('\n'),
      );
      const flagged = await cli('validate', 'migration', ...t1('t1_good'), '--policies', 'strict');
      expect(flagged.code).to.equal(1);
      expect(flagged.stdout).to.contain('[no-orders]');
      const env = await runCli(['validate', 'migration', ...t1('t1_good')], {
        cwd,
        env: { GATE_POLICY_DIR: dir },
      });
      expect(env.code).to.equal(1);
      writeFileSync(
        path.join(dir, 'extra.yaml'),
        'apiVersion: migrationgate.io/v1alpha1\nkind: PolicySet\nmetadata: {name: extra}\nrules: [{id: Bad}]\n',
      );
      const broken = await cli('validate', 'migration', ...t1('t1_good'), '--policies', 'strict');
      expect(broken.code).to.equal(2);
      expect(broken.stderr).to.contain('no valid policy set').and.contain('extra.yaml');
      const missing = await cli('validate', 'migration', ...t1('t1_good'), '--policies', 'nowhere');
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.contain('ENOENT');
    });

    it('unreadable inputs are exit 2 naming the file, never a verdict', async () => {
      const res = await cli('validate', 'migration', '--manifest', 'nope.json', '--config', 'nope.yaml');
      expect(res.code).to.equal(2);
      expect(res.stderr).to.contain('nope.json');
      const t2 = await cli(
        'validate',
        'replication',
        '--manifest',
        path.join(EX, 't2_good', 'replication_manifest.yaml'),
        '--snapshot',
        'missing.tar.gz',
      );
      expect(t2.code).to.equal(2);
      expect(t2.stderr).to.contain('missing.tar.gz');
      expect((await cli('validate', 'migration', '--config', 'x')).stderr).to.contain(
        '--manifest is required',
      );
    });

    it('--output yaml and json are the report; --json is kept as --output json', async () => {
      const y = await cli('validate', 'migration', ...t1('t1_good'), '--output', 'yaml');
      expect(y.stdout)
        .to.match(/^request_id: /m)
        .and.match(/^decision: ALLOW$/m);
      const j = await cli('validate', 'migration', ...t1('t1_bad/md5-hash', false), '--json');
      expect(j.code).to.equal(1);
      expect(JSON.parse(j.stdout).decision).to.equal('BLOCK');
    });

    it('--output sarif is valid SARIF 2.1.0 with each finding on the config line it is about', async () => {
      mkdirSync(path.join(cwd, 'cfg'), { recursive: true });
      for (const f of ['migration_manifest.json', 'app-config.yaml'])
        copyFileSync(path.join(EX, 't1_bad/public-bind', f), path.join(cwd, 'cfg', f));
      const res = await cli(
        'validate',
        'migration',
        '--manifest',
        'cfg/migration_manifest.json',
        '--config',
        'cfg/app-config.yaml',
        '--keys',
        KEYS,
        '-o',
        'sarif',
      );
      expect(res.code).to.equal(1);
      const log = JSON.parse(res.stdout);
      expect(sarifErrors(log)).to.deep.equal([]);
      const results = log.runs[0].results as Array<{
        ruleId: string;
        level: string;
        locations: Array<{
          physicalLocation: {
            artifactLocation: { uri: string };
            region: { startLine: number; startColumn: number };
          };
        }>;
      }>;
      const bind = results.find((r) => r.ruleId === 'no-public-bind')!;
      expect(bind.level).to.equal('error');
      const loc = bind.locations[0]!.physicalLocation;
      expect(loc.artifactLocation.uri).to.equal('cfg/app-config.yaml');
      const lines = readFileSync(path.join(cwd, 'cfg', 'app-config.yaml'), 'utf8').split('\n');
      expect(lines[loc.region.startLine - 1]).to.match(/^\s+host: 0\.0\.0\.0/);
      // Unsigned: a manifest finding, on the manifest.
      expect(
        results.find((r) => r.ruleId === 't1-signature-required')!.locations[0]!.physicalLocation
          .artifactLocation.uri,
      ).to.equal('cfg/migration_manifest.json');
      expect(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).to.include('no-public-bind');
    });

    it('validate replication: ALLOW 0, BLOCK 1, and SARIF on the manifest', async () => {
      const d = path.join(EX, 't2_good');
      const good = await cli(
        'validate',
        'replication',
        '--manifest',
        path.join(d, 'replication_manifest.yaml'),
        '--snapshot',
        path.join(d, 'snapshot.tar.gz'),
        '--wal-dir',
        path.join(d, 'wal'),
        '--signature',
        path.join(d, 'replication_manifest.yaml.sig'),
        '--keys',
        KEYS,
      );
      expect(good.code, good.stderr).to.equal(0);
      const b = path.join(EX, 't2_bad', 'unsigned-prod');
      const bad = await cli(
        'validate',
        'replication',
        '--manifest',
        path.join(b, 'replication_manifest.yaml'),
        '--snapshot',
        path.join(b, 'snapshot.tar.gz'),
        '--wal-dir',
        path.join(b, 'wal'),
        '-o',
        'sarif',
      );
      expect(bad.code).to.equal(1);
      const log = JSON.parse(bad.stdout);
      expect(sarifErrors(log)).to.deep.equal([]);
      expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).to.include(
        't2-signature-required',
      );
    });
  });

  describe('manifest sign', () => {
    it('signs a manifest that then verifies with the pinned key; a bad key is exit 2', async () => {
      mkdirSync(path.join(cwd, 'sign'), { recursive: true });
      for (const f of ['migration_manifest.json', 'app-config.yaml'])
        copyFileSync(path.join(EX, 't1_good', f), path.join(cwd, 'sign', f));
      const signed = await cli(
        'manifest',
        'sign',
        '--key',
        path.join(EX, 'keys', 'example-ed25519.key.pem'),
        'sign/migration_manifest.json',
      );
      expect(signed.code, signed.stderr).to.equal(0);
      const res = await cli(
        'validate',
        'migration',
        '--manifest',
        'sign/migration_manifest.json',
        '--config',
        'sign/app-config.yaml',
        '--signature',
        'sign/migration_manifest.json.sig',
        '--keys',
        KEYS,
      );
      expect(res.code, res.stdout).to.equal(0);
      writeFileSync(path.join(cwd, 'sign', 'bad.pem'), 'not a key');
      const bad = await cli('manifest', 'sign', '--key', 'sign/bad.pem', 'sign/migration_manifest.json');
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain('not a PEM private key');
      expect((await cli('manifest', 'sign', 'sign/migration_manifest.json')).code).to.equal(2);
    });
  });

  describe('policy test', () => {
    it('runs every fixture under examples/ against the shipped policies: a kyverno-style table, exit 0', async () => {
      const res = await runCli(['policy', 'test', EX], { cwd, env: { GATE_KEYS_DIR: KEYS } });
      expect(res.code, res.stdout + res.stderr).to.equal(0);
      expect(res.stdout).to.match(
        /\| ID +\| CASE +\| SCENARIO +\| EXPECTED +\| GOT +\| RESULT +\| REASON +\|/,
      );
      expect(res.stdout).to.match(/\| t1_bad\/tls-off-prod +\| T1 +\| BLOCK prod-requires-tls /);
      expect(res.stdout).to.match(/\| t2_bad\/path-traversal +\| T2 +\| BLOCK archive-unsafe-path /);
      expect(res.stdout).to.match(/Test Summary: \d+ tests passed and 0 tests failed/);
    });

    it('a case whose decision or rule ids differ fails: exit 1, Fail with the reason; json lists the results', async () => {
      const dir = path.join(cwd, 'cases');
      cpSync(path.join(EX, 't1_good'), path.join(dir, 'wrong-decision'), { recursive: true });
      writeFileSync(
        path.join(dir, 'wrong-decision', 'expected.json'),
        JSON.stringify({ decision: 'BLOCK', rule: 'prod-requires-tls' }),
      );
      cpSync(path.join(EX, 't1_bad', 'debug-prod'), path.join(dir, 'wrong-rule'), { recursive: true });
      writeFileSync(
        path.join(dir, 'wrong-rule', 'expected.json'),
        JSON.stringify({ decision: 'BLOCK', rules: ['prod-debug-disabled', 'no-public-bind'] }),
      );
      cpSync(path.join(EX, 't1_bad', 'debug-prod'), path.join(dir, 'right'), { recursive: true });
      // "env": the namespace's environment; the manifest says prod, so the case expects the binding to refuse it.
      writeFileSync(
        path.join(dir, 'right', 'expected.json'),
        JSON.stringify({ decision: 'BLOCK', rule: 'env-mismatch', env: 'staging' }),
      );
      const res = await runCli(['policy', 'test', 'cases', '--keys', KEYS], { cwd });
      expect(res.code, res.stdout + res.stderr).to.equal(1);
      expect(res.stdout).to.match(/wrong-decision .*\| Fail +\| decision ALLOW, expected BLOCK/);
      expect(res.stdout).to.match(/wrong-rule .*\| Fail +\| rule\(s\) not reported: no-public-bind/);
      expect(res.stdout).to.match(/\| right .*\| Pass/);
      expect(res.stdout).to.contain('Test Summary: 1 tests passed and 2 tests failed');
      const json = JSON.parse(
        (await runCli(['policy', 'test', 'cases', '--keys', KEYS, '-o', 'json'], { cwd })).stdout,
      );
      expect(json).to.include({ passed: 1, failed: 2 });
    });

    it('no cases, a bad expected.json or a lone expected.json is exit 2', async () => {
      mkdirSync(path.join(cwd, 'empty'), { recursive: true });
      expect((await cli('policy', 'test', 'empty')).code).to.equal(2);
      mkdirSync(path.join(cwd, 'badexp', 'c'), { recursive: true });
      writeFileSync(path.join(cwd, 'badexp', 'c', 'expected.json'), '{"decision": "MAYBE"}');
      const bad = await cli('policy', 'test', 'badexp');
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.contain('c/expected.json');
      writeFileSync(path.join(cwd, 'badexp', 'c', 'expected.json'), '{"decision": "ALLOW"}');
      expect((await cli('policy', 'test', 'badexp')).stderr).to.contain('beside neither');
      expect((await cli('policy', 'test')).code).to.equal(2);
    });
  });

  describe('policy lint and schema', () => {
    it('the shipped policies lint clean (exit 0)', async () => {
      const res = await cli('policy', 'lint', path.join(REPO, 'policies'));
      expect(res.code, res.stdout).to.equal(0);
      expect(res.stdout).to.contain('0 error(s)');
    });

    it('errors are exit 1 on the line of the rule, as text and as valid SARIF; --strict fails on warnings', async () => {
      const dir = path.join(cwd, 'lint');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'p.yaml'),
        [
          '# yaml-language-server: $schema=x.json',
          'apiVersion: migrationgate.io/v1alpha1',
          'kind: PolicySet',
          'metadata: {name: p}',
          'rules:',
          '  - id: fine',
          '    scenario: T1',
          '    severity: low',
          '    action: warn',
          '    expression: "true"',
          '    message: ok',
          '    description: fine',
          '  - id: typo',
          '    scenario: T1',
          '    severity: high',
          '    action: block',
          '    expresion: "true"',
          '    message: oops',
          '',
        ].join('\n'),
      );
      const res = await cli('policy', 'lint', 'lint');
      expect(res.code).to.equal(1);
      expect(res.stdout).to.match(/^p\.yaml:13: error: \[policy-load\] .*unknown key\(s\) "expresion"/m);
      const sarif = JSON.parse((await cli('policy', 'lint', 'lint', '-o', 'sarif')).stdout);
      expect(sarifErrors(sarif)).to.deep.equal([]);
      expect(sarif.runs[0].results[0].locations[0].physicalLocation).to.deep.equal({
        artifactLocation: { uri: 'lint/p.yaml' },
        region: { startLine: 13 },
      });
      writeFileSync(
        path.join(dir, 'p.yaml'),
        readFileSync(path.join(dir, 'p.yaml'), 'utf8').replace('expresion', 'expression'),
      );
      const warnOnly = await cli('policy', 'lint', 'lint');
      expect(warnOnly.code, warnOnly.stdout).to.equal(0);
      expect(warnOnly.stdout).to.match(/p\.yaml:13: warning: \[rule-description\]/);
      expect((await cli('policy', 'lint', 'lint', '--strict')).code).to.equal(1);
      expect((await cli('policy', 'lint', 'nowhere')).code).to.equal(2);
    });

    it('policy schema prints the shipped JSON Schema', async () => {
      const res = await cli('policy', 'schema');
      expect(res.code).to.equal(0);
      expect(JSON.parse(res.stdout)).to.deep.equal(
        JSON.parse(readFileSync(path.join(REPO, 'schemas', 'policyset.v1alpha1.schema.json'), 'utf8')),
      );
    });
  });
});
