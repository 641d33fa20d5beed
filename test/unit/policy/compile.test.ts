import { expect } from 'chai';
import { compilePolicySet, defaultBuiltins } from '../../../src/core/policy/index.js';
import { BASELINE_TEXT } from './baseline-fixture.js';

const header = (name = 'extra') =>
  `apiVersion: migrationgate.io/v1alpha1\nkind: PolicySet\nmetadata: {name: ${name}}\nrules:\n`;
const rule = (id: string, extra = 'expression: "true"') =>
  `  - id: ${id}\n    scenario: T1\n    severity: low\n    action: warn\n    message: m\n    ${extra}\n`;

function errorsOf(files: Array<{ name: string; text: string }>): string[] {
  const r = compilePolicySet(files);
  expect(r.ok, 'compile should fail').to.equal(false);
  return r.ok ? [] : r.errors;
}

describe('compilePolicySet', () => {
  it('compiles the baseline and lists its rules sorted by id with their source', () => {
    const r = compilePolicySet([{ name: 'baseline.yaml', text: BASELINE_TEXT }]);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.set.names).to.deep.equal(['baseline']);
    expect(r.set.digest).to.match(/^sha256:[0-9a-f]{64}$/);
    const ids = r.set.rules.map((x) => x.id);
    expect(ids).to.deep.equal([...ids].sort());
    const tls = r.set.rules.find((x) => x.id === 'tls-min-version');
    expect(tls).to.include({
      scenario: 'T1',
      severity: 'high',
      source: 'baseline.yaml',
      policySet: 'baseline',
    });
    expect(tls?.action).to.deep.equal({ prod: 'block', staging: 'warn' });
    expect(r.set.rules.find((x) => x.id === 'no-inline-secrets')?.builtin).to.equal('secret-scan');
  });

  it('digest is stable regardless of file order and file names', () => {
    const a = { name: 'a.yaml', text: header('a') + rule('rule-a') };
    const b = { name: 'b.yaml', text: header('b') + rule('rule-b') };
    const one = compilePolicySet([a, b]);
    const two = compilePolicySet([b, { ...a, name: 'renamed.yaml' }]);
    if (!one.ok || !two.ok) throw new Error('should compile');
    expect(one.set.digest).to.equal(two.set.digest);
    expect(one.set.rules.map((x) => x.id)).to.deep.equal(two.set.rules.map((x) => x.id));
  });

  it('digest changes when a rule changes, not when an action is spelled per env', () => {
    const base = compilePolicySet([{ name: 'x.yaml', text: header() + rule('r') }]);
    const perEnv = compilePolicySet([
      {
        name: 'x.yaml',
        text: header() + rule('r').replace('action: warn', 'action: {prod: warn, staging: warn}'),
      },
    ]);
    const changed = compilePolicySet([
      { name: 'x.yaml', text: header() + rule('r').replace('severity: low', 'severity: high') },
    ]);
    if (!base.ok || !perEnv.ok || !changed.ok) throw new Error('should compile');
    expect(perEnv.set.digest).to.equal(base.set.digest);
    expect(changed.set.digest).not.to.equal(base.set.digest);
  });

  it('reports a CEL syntax error with file and rule', () => {
    const [e] = errorsOf([
      { name: 'bad.yaml', text: header() + rule('broken', 'expression: "config.tls.enabled == "') },
    ]);
    expect(e).to.match(/^bad\.yaml: rule "broken": CEL syntax error/);
  });

  it('reports a CEL type error (unknown variable, non-bool result)', () => {
    const errs = errorsOf([
      {
        name: 'bad.yaml',
        text:
          header() +
          rule('uses-t2-var', 'expression: "wal.continuous"') +
          rule('not-bool', 'expression: "1 + 2"'),
      },
    ]);
    expect(errs).to.have.length(2);
    expect(errs[0]).to.match(/^bad\.yaml: rule "uses-t2-var": CEL type error: .*wal/);
    expect(errs[1]).to.match(/^bad\.yaml: rule "not-bool": .*must evaluate to bool, not int/);
  });

  it('refuses deeply nested comprehensions and over-long expressions', () => {
    const nested = 'expression: "config.a.all(x, config.b.all(y, config.c.all(z, true)))"';
    expect(errorsOf([{ name: 'n.yaml', text: header() + rule('nested', nested) }])[0]).to.contain(
      'comprehensions',
    );
    const long = `expression: "${'true && '.repeat(600)}true"`;
    expect(errorsOf([{ name: 'l.yaml', text: header() + rule('long', long) }])[0]).to.match(
      /^l\.yaml: rule "long" field expression/,
    );
  });

  it('rejects duplicate ids across files, naming both files', () => {
    const errs = errorsOf([
      { name: 'a.yaml', text: header('a') + rule('same') },
      { name: 'b.yaml', text: header('b') + rule('same') },
    ]);
    expect(errs).to.deep.equal(['b.yaml: rule "same": duplicate rule id (first defined in a.yaml)']);
  });

  it('rejects an unknown key in a rule (a typo must not disable a rule)', () => {
    const [e] = errorsOf([{ name: 't.yaml', text: header() + rule('typo', 'expresion: "true"') }]);
    expect(e).to.contain('t.yaml: rule "typo"').and.contain('"expresion"');
  });

  it('requires exactly one of expression and builtin, and a known builtin', () => {
    expect(
      errorsOf([
        { name: 'x.yaml', text: header() + rule('both', 'builtin: secret-scan\n    expression: "true"') },
      ])[0],
    ).to.contain('exactly one of');
    expect(errorsOf([{ name: 'x.yaml', text: header() + rule('neither', 'path: a.b') }])[0]).to.contain(
      'exactly one of',
    );
    expect(
      errorsOf([{ name: 'x.yaml', text: header() + rule('nope', 'builtin: no-such-check') }])[0],
    ).to.equal(
      'x.yaml: rule "nope": unknown builtin "no-such-check" (known: public-bind, secret-key-length, secret-scan)',
    );
  });

  it('requires an action for every environment of a per-env action', () => {
    const text = header() + rule('half').replace('action: warn', 'action: {prod: block}');
    expect(errorsOf([{ name: 'x.yaml', text }])[0]).to.contain('no entry for environment "staging"');
  });

  it('rejects an empty set: no files, or files without rules', () => {
    expect(errorsOf([])[0]).to.contain('empty policy set');
    expect(
      errorsOf([{ name: 'e.yaml', text: `${header()}  []\n`.replace('rules:\n  []', 'rules: []') }])[0],
    ).to.contain('no rules');
  });

  it('reports broken YAML, duplicate keys and multiple documents with the file name', () => {
    expect(errorsOf([{ name: 'y.yaml', text: 'rules: [\n' }])[0]).to.match(/^y\.yaml: invalid YAML/);
    const dup = header() + rule('d').replace('severity: low', 'severity: low\n    severity: critical');
    expect(errorsOf([{ name: 'd.yaml', text: dup }])[0]).to.match(
      /^d\.yaml: invalid YAML: .*[Uu]nique|^d\.yaml: invalid YAML: .*[Dd]uplicate/,
    );
    expect(errorsOf([{ name: 'm.yaml', text: `${header()}${rule('m')}---\nfoo: 1\n` }])[0]).to.match(
      /^m\.yaml: invalid YAML/,
    );
  });

  it('caps YAML aliases', () => {
    const anchors = `x: &a [1]\ny: [${Array.from({ length: 40 }, () => '*a').join(', ')}]\n`;
    expect(errorsOf([{ name: 'alias.yaml', text: anchors }])[0]).to.match(/^alias\.yaml: invalid YAML/);
  });

  it('is all-or-nothing: one bad file rejects the whole set', () => {
    const r = compilePolicySet([
      { name: 'baseline.yaml', text: BASELINE_TEXT },
      { name: 'bad.yaml', text: 'nope: [' },
    ]);
    expect(r.ok).to.equal(false);
  });

  it('accepts extra builtins through the registry', () => {
    const always = {
      name: 'always-fails',
      description: 'test',
      scenarios: ['T1'] as const,
      run: () => [{ detail: 'nope' }],
    };
    const r = compilePolicySet(
      [{ name: 'x.yaml', text: header() + rule('custom', 'builtin: always-fails') }],
      { builtins: defaultBuiltins([always]) },
    );
    expect(r.ok).to.equal(true);
  });
});
