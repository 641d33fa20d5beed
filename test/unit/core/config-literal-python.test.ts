// Differential test against a real literal reader: Python's yaml.safe_load and
// plain dict access (config['tls']['enabled']), the way a Python app reads its
// config. For every config the gate accepts, each safety-asserting policy value
// in the gate's canonical view must be exactly what the literal reader sees,
// unless the rule fails that value anyway (then the gate blocks whatever the
// app reads). The reverse of the Viper test: here the gate reading MORE than
// the app is the bug (it would ALLOW an app running with TLS off).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { canonicalConfig } from '../../../src/core/config-canonical.js';
import { failsItsRule, literalReaderProblems } from '../../../src/core/config-literal-readers.js';
import { parseStrict } from '../../../src/core/strict-parse.js';

const PATHS = [
  'tls.enabled',
  'tls.min_version',
  'tls.verify',
  'ssl.verify',
  'verify_ssl',
  'audit.enabled',
  'secrets_ref',
  'host',
  'pbkdf2_iterations',
];
const PY = `
import json, sys, yaml
out = []
for text in json.load(sys.stdin):
    cfg = yaml.safe_load(text)
    row = {}
    for path in sys.argv[1:]:
        cur, ok = cfg, True
        for seg in path.split('.'):
            if isinstance(cur, dict) and seg in cur: cur = cur[seg]
            else: ok = False; break
        row[path] = {'value': cur} if ok else {'absent': True}
    out.append(row)
json.dump(out, sys.stdout)
`;

type Row = Record<string, { absent: true } | { value: unknown }>;
function pythonRead(texts: string[]): Row[] {
  const r = spawnSync('python3', ['-c', PY, ...PATHS], {
    input: JSON.stringify(texts),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0)
    throw new Error(
      `python3 with PyYAML is needed for this test: apt-get install -y python3 python3-yaml (${(r.stderr ?? String(r.error)).trim()})`,
    );
  return JSON.parse(r.stdout) as Row[];
}

const at = (config: Record<string, unknown>, path: string): { present: boolean; value?: unknown } => {
  let cur: unknown = config;
  for (const s of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, s))
      return { present: false };
    cur = (cur as Record<string, unknown>)[s];
  }
  return { present: true, value: cur };
};

/** The disagreements for one config, or undefined when the gate refuses it. */
function compare(text: string, py: Row): string[] | undefined {
  const parsed = parseStrict(Buffer.from(text), 'app config');
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value))
    return undefined;
  const canon = canonicalConfig(parsed.value as Record<string, unknown>);
  if (!canon.ok || literalReaderProblems(canon.relaxed).length > 0) return undefined;
  return PATHS.flatMap((path) => {
    const g = at(canon.config, path);
    if (!g.present || failsItsRule(path, g.value)) return [];
    const p = py[path]!;
    return 'value' in p && JSON.stringify(p.value) === JSON.stringify(g.value)
      ? []
      : [
          `${path}: gate ${JSON.stringify(g.value)}, python ${'value' in p ? JSON.stringify(p.value) : 'absent'}`,
        ];
  });
}

const spell = (...names: string[]): fc.Arbitrary<string> => fc.constantFrom(...names);
const value = fc.constantFrom<unknown>(
  true,
  false,
  '1.2',
  '1.3',
  '1.0',
  'vault://kv/x',
  '',
  '10.0.4.12',
  '0.0.0.0',
  600000,
  1000,
);
const section = (
  names: fc.Arbitrary<string>,
  leaves: fc.Arbitrary<string>,
): fc.Arbitrary<[string, unknown]> => fc.tuple(names, fc.dictionary(leaves, value, { maxKeys: 3 }));
const top = fc.oneof(
  section(
    spell('tls', 'TLS', 'Tls'),
    spell('enabled', 'Enabled', 'ENABLED', 'min_version', 'minVersion', 'min-version', 'verify', 'Verify'),
  ),
  section(spell('ssl', 'SSL'), spell('verify', 'VERIFY')),
  section(spell('audit', 'Audit', 'AUDIT'), spell('enabled', 'Enabled')),
  fc.tuple(
    spell(
      'tls.enabled',
      'TLS.enabled',
      'tls.Enabled',
      'tls.min_version',
      'audit.enabled',
      'Audit.Enabled',
      'ssl.verify',
    ),
    value,
  ),
  fc.tuple(
    spell(
      'secrets_ref',
      'secretsRef',
      'SECRETS_REF',
      'secrets-ref',
      'verify_ssl',
      'verifySsl',
      'host',
      'HOST',
      'pbkdf2_iterations',
      'PBKDF2_ITERATIONS',
    ),
    value,
  ),
);
const config = fc.array(top, { maxLength: 6 }).map((entries) => JSON.stringify(Object.fromEntries(entries)));

describe('literal readers (Python yaml.safe_load + dict access) see every safe value the gate accepts', () => {
  const FIXED = [
    '{"tls": {"enabled": true, "min_version": "1.2", "verify": true}, "audit": {"enabled": true}, "secrets_ref": "vault://x"}',
    '{"TLS": {"enabled": true}}',
    '{"tls.enabled": true}',
    '{"Audit": {"enabled": true}}',
    '{"secretsRef": "vault://x"}',
    '{"tls": {"Enabled": true}}',
    '{"TLS": {"enabled": false}}',
    '{"tls": {"MinVersion": "1.0"}}',
    '{"verifySsl": true}',
    '{"HOST": "10.0.4.12"}',
  ];

  it('fixed configs: the gate refuses every safe value a literal reader would not see', () => {
    const py = pythonRead(FIXED);
    const accepted = FIXED.map((t, i) => compare(t, py[i]!));
    expect(accepted.flatMap((d) => d ?? [])).to.deep.equal([]);
    // the exact spelling is accepted; the relaxed safe ones are refused; the unsafe ones are kept for their rules
    expect(accepted.map((d) => d !== undefined)).to.deep.equal([
      true,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      false,
      false,
    ]);
  });

  it('200 generated configs: no accepted config holds a safe value Python does not read', () => {
    const texts = fc.sample(config, { numRuns: 200, seed: 11 });
    const py = pythonRead(texts);
    const bad = texts.flatMap((t, i) => (compare(t, py[i]!) ?? []).map((d) => `${t} -> ${d}`));
    const accepted = texts.filter((t, i) => compare(t, py[i]!) !== undefined).length;
    expect(bad).to.deep.equal([]);
    expect(accepted, 'the generator must reach accepted configs').to.be.greaterThan(20);
  });
});
