// The gate's secret scan against a real scanner. gitleaks (built from Go
// modules by .ci/run, cached under ~/.cache/migration-gate-tools) and the
// gate's scanForSecrets both read the generated corpus under
// test/fixtures/secrets-corpus/: the gate must find every secret gitleaks
// finds in a config value, every planted URL / key-name secret, and raise
// no more false positives than gitleaks on the clean half.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { scanForSecrets } from '../../src/core/policy/index.js';
import { buildCorpus, CORPUS_DIR, secretKinds, type CorpusFile } from '../support/secrets-corpus.js';

export const GITLEAKS_VERSION = 'v8.30.1';
const GITLEAKS =
  process.env.GITLEAKS_BIN ??
  join(homedir(), '.cache', 'migration-gate-tools', `gitleaks-${GITLEAKS_VERSION}`, 'gitleaks');
const INSTALL = `GOBIN=~/.cache/migration-gate-tools/gitleaks-${GITLEAKS_VERSION} go install github.com/zricethezav/gitleaks/v8@${GITLEAKS_VERSION}`;

interface Leak {
  File: string;
  StartLine: number;
  EndLine: number;
  RuleID: string;
}

function runGitleaks(): Leak[] {
  if (!existsSync(GITLEAKS))
    throw new Error(
      `gitleaks ${GITLEAKS_VERSION} not found at ${GITLEAKS}; build it with: ${INSTALL} (.ci/run does this)`,
    );
  const out = mkdtempSync(join(tmpdir(), 'gitleaks-'));
  try {
    const report = join(out, 'report.json');
    const r = spawnSync(
      GITLEAKS,
      [
        'dir',
        CORPUS_DIR,
        '--report-format',
        'json',
        '--report-path',
        report,
        '--no-banner',
        '--exit-code',
        '0',
        '--log-level',
        'error',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (r.status !== 0)
      throw new Error(`gitleaks failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
    return JSON.parse(readFileSync(report, 'utf8')) as Leak[];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const key = (file: string, path: string): string => `${file}#${path}`;

describe('secret scan vs gitleaks on the generated corpus', function () {
  this.timeout(120_000);
  const corpus = buildCorpus();
  const byName = new Map(corpus.map((f) => [f.name, f]));

  it('the committed corpus is exactly what test/support/secrets-corpus.ts generates', () => {
    const onDisk = ['secret', 'clean']
      .flatMap((d) => readdirSync(join(CORPUS_DIR, d)).map((n) => `${d}/${n}`))
      .sort();
    expect(onDisk, 'regenerate with: npx tsx test/support/secrets-corpus.ts --write').to.deep.equal(
      corpus.map((f) => f.name).sort(),
    );
    for (const f of corpus) expect(readFileSync(join(CORPUS_DIR, f.name), 'utf8'), f.name).to.equal(f.text);
    const secrets = corpus.filter((f) => f.planted.length > 0);
    expect(secrets.length).to.be.at.least(100);
    expect(corpus.length - secrets.length).to.be.at.least(100);
    expect(new Set(secrets.map((f) => f.kind)).size).to.be.at.least(25);
    expect(secretKinds().length).to.be.at.least(25);
  });

  it('finds every secret gitleaks finds, every planted secret, and no more false positives on the clean half', () => {
    const leaks = runGitleaks();
    const gitleaksAt = new Set<string>();
    for (const l of leaks) {
      const name = l.File.slice(l.File.indexOf('secrets-corpus/') + 'secrets-corpus/'.length);
      const f = byName.get(name);
      expect(f, `gitleaks reported a file outside the corpus: ${l.File}`).not.to.equal(undefined);
      const path = f!.pathByLine.get(l.StartLine);
      expect(path, `${name}:${l.StartLine} (${l.RuleID}) is not a config value line`).to.be.a('string');
      gitleaksAt.add(key(name, path!));
    }
    const gateAt = new Set<string>();
    for (const f of corpus) for (const h of scanForSecrets(parse(f.text))) gateAt.add(key(f.name, h.path));

    const planted = corpus.flatMap((f: CorpusFile) => f.planted.map((p) => key(f.name, p)));
    const clean = new Set(corpus.filter((f) => f.planted.length === 0).map((f) => f.name));
    const onClean = (s: Set<string>): string[] => [...s].filter((k) => clean.has(k.split('#')[0]!));
    const missedByGate = [...gitleaksAt].filter((k) => !clean.has(k.split('#')[0]!) && !gateAt.has(k));
    const gatePlanted = planted.filter((k) => gateAt.has(k));
    const leaksPlanted = planted.filter((k) => gitleaksAt.has(k));
    const plantedSet = new Set(planted);
    const gateExtra = [...gateAt].filter((k) => !clean.has(k.split('#')[0]!) && !plantedSet.has(k));

    const figures = {
      configs: corpus.length,
      withSecrets: corpus.length - clean.size,
      clean: clean.size,
      kinds: secretKinds().length,
      planted: planted.length,
      gitleaksRecall: `${leaksPlanted.length}/${planted.length} (${((100 * leaksPlanted.length) / planted.length).toFixed(1)}%)`,
      gateRecall: `${gatePlanted.length}/${planted.length} (${((100 * gatePlanted.length) / planted.length).toFixed(1)}%)`,
      gitleaksFalsePositivesOnClean: onClean(gitleaksAt).length,
      gateFalsePositivesOnClean: onClean(gateAt).length,
      gateHitsOutsidePlantedInSecretHalf: gateExtra.length,
      missedByGitleaks: [
        ...new Set(planted.filter((k) => !gitleaksAt.has(k)).map((k) => byName.get(k.split('#')[0]!)!.kind)),
      ].sort(),
    };
    console.log(
      `      secret-scan vs gitleaks ${GITLEAKS_VERSION}: ${JSON.stringify(figures, null, 2).replace(/\n/g, '\n      ')}`,
    );

    expect(missedByGate, 'secrets gitleaks finds and the gate does not').to.deep.equal([]);
    expect(
      planted.filter((k) => !gateAt.has(k)),
      'planted secrets the gate misses',
    ).to.deep.equal([]);
    expect(onClean(gateAt).length, `gate false positives: ${onClean(gateAt).join(', ')}`).to.be.at.most(
      onClean(gitleaksAt).length,
    );
    expect(gateExtra, 'gate hits on filler lines of the secret half').to.deep.equal([]);
  });
});
