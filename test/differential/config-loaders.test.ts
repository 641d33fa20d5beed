// The proof for issue 11 (T1): for every config the gate's parser accepts,
// the real loaders its consumers use (PyYAML safe_load / SafeLoader /
// CSafeLoader, Go yaml.v3 and yaml.v2, SnakeYAML) read the same values.
// Configs the gate refuses need no check (refusal is the safe answer).
// FUZZ_RUNS scales the generated part (npm run fuzz:config).
import { expect } from 'chai';
import fc from 'fast-check';
import { parseStrictConfig } from '../../src/core/strict-parse.js';
import { canonicalOfGate, normaliseLoader, stable } from './canonical.js';
import { configText, exampleConfigs, FIXED_CASES, jsonConfigText } from './corpus.js';
import { runLoaders, type Reading } from './loaders/run-loaders.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261101);

interface Case {
  label: string;
  text: string;
}

function disagreements(cases: Case[]): { accepted: number; refused: number; problems: string[] } {
  const readings = runLoaders(cases.map((c) => c.text));
  const problems: string[] = [];
  let accepted = 0;
  cases.forEach((c, i) => {
    const gate = parseStrictConfig(Buffer.from(c.text, 'utf8'), 'app config');
    if (!gate.ok) return;
    accepted++;
    const want = stable(canonicalOfGate(gate.value));
    for (const [loader, all] of Object.entries(readings)) {
      const r: Reading = all[i]!;
      const got = r.ok ? stable(normaliseLoader(r.v)) : `load error: ${r.e}`;
      if (got !== want)
        problems.push(
          `${c.label}: the gate accepts\n${c.text}\n  gate (YAML 1.2): ${want}\n  ${loader}: ${got}`,
        );
    }
  });
  return { accepted, refused: cases.length - accepted, problems };
}

describe('differential: app configs, the gate vs the real YAML loaders', function () {
  this.timeout(120_000);

  it('issue 11 cases and every example config: accepted ones read the same everywhere, and the examples are accepted', () => {
    const examples = exampleConfigs();
    expect(examples.length).to.be.greaterThan(20);
    const cases = [
      ...FIXED_CASES.map((text, i) => ({ label: `fixed case ${i}`, text })),
      ...examples.map((e) => ({ label: e.path, text: e.text })),
    ];
    const { problems } = disagreements(cases);
    expect(problems, problems.join('\n\n')).to.deep.equal([]);
    // Nothing good is refused: every example config still parses (t1_bad/not-yaml and the duplicate-key ones excepted by name).
    const refused = examples
      .filter((e) => !parseStrictConfig(Buffer.from(e.text), 'app config').ok)
      .map((e) => e.path);
    expect(refused.filter((p) => !/not-yaml|duplicate-key/.test(p))).to.deep.equal([]);
  });

  it(`${RUNS} generated YAML configs of risky constructs and ${Math.ceil(RUNS / 4)} JSON configs: no accepted config reads differently`, () => {
    const yaml = fc.sample(configText, { numRuns: RUNS, seed: SEED });
    const json = fc.sample(jsonConfigText, { numRuns: Math.ceil(RUNS / 4), seed: SEED + 1 });
    const cases = [
      ...yaml.map((text, i) => ({ label: `generated #${i}`, text })),
      ...json.map((text, i) => ({ label: `generated JSON #${i}`, text })),
    ];
    const { accepted, refused, problems } = disagreements(cases);
    // The grammar must exercise both sides, or the test proves nothing.
    expect(accepted, 'accepted configs').to.be.greaterThan(RUNS / 10);
    expect(refused, 'refused configs').to.be.greaterThan(RUNS / 10);
    expect(
      problems.slice(0, 20),
      `${problems.length} disagreement(s):\n\n${problems.slice(0, 20).join('\n\n')}`,
    ).to.deep.equal([]);
    console.log(
      `      ${cases.length} configs: ${accepted} accepted (all read the same by every loader), ${refused} refused`,
    );
  });
});
