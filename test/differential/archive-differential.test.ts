// Issue 11, T2: the gate's tar reading against the four real readers. Real
// (GNU tar, bsdtar, Python-written) and synthetic archives are mutated at the
// header level; each case goes through the gate's own reader and safety rules
// and through GNU tar, bsdtar, Python tarfile (default and fully_trusted) and
// Go archive/tar. Whenever any reader would write outside the directory,
// create a link or device, fail, or produce another entry set (path, type,
// size) than the gate reports, the gate must BLOCK.
// FUZZ_TAR_RUNS (default 300) sets the number of cases; npm run fuzz:tar runs 5000.
import { expect } from 'chai';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveSafety } from '../../src/core/replication/archive-safety.js';
import { VerificationFailure } from '../../src/core/replication/findings.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../src/core/replication/limits.js';
import { TarReader } from '../../src/core/replication/tar-reader.js';
import { applyMutations, mutation, synthetic, type Case } from './tar-mutations.js';
import {
  EXTRACTING_MODES,
  extractAll,
  goListAll,
  requireExtractors,
  type ExtractResult,
  type GoResult,
} from './tar-extractors.js';

const RUNS = Number(process.env.FUZZ_TAR_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_TAR_SEED ?? 20261201);

type Gate = { decision: 'ALLOW'; entries: Set<string> } | { decision: 'BLOCK'; reason: string };

/** The archive stage of the T2 pipeline: the gate's reader and safety rules, nothing else. */
function gate(tar: Buffer): Gate {
  const safety = new ArchiveSafety(DEFAULT_REPLICATION_LIMITS);
  const entries = new Set<string>();
  const reader = new TarReader(
    {
      entry(e) {
        const path = safety.check(e);
        if (path !== '') entries.add(`${e.kind === 'directory' ? 'dir' : 'file'}:${path}:${e.size}`);
      },
      data() {
        /* hashed in the real pipeline */
      },
      entryEnd() {
        /* nothing */
      },
    },
    DEFAULT_REPLICATION_LIMITS,
  );
  try {
    reader.push(tar);
    reader.end();
  } catch (e) {
    if (e instanceof VerificationFailure)
      return { decision: 'BLOCK', reason: `[${e.finding.rule}] ${e.finding.message}` };
    throw e;
  }
  // Extractors create the parents of what they extract.
  for (const k of [...entries]) {
    const path = k.split(':')[1]!;
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) entries.add(`dir:${parts.slice(0, i).join('/')}:0`);
  }
  return { decision: 'ALLOW', entries };
}

function extractedSet(r: ExtractResult): Set<string> {
  return new Set(r.created.map((c) => `${c.type}:${c.path}:${c.size}`));
}

function goSet(r: GoResult): Set<string> {
  const s = new Set<string>();
  for (const e of r.entries) {
    if (e.target === '') continue;
    s.add(`${e.type}:${e.target}:${e.size}`);
    const parts = e.target.split('/');
    for (let i = 1; i < parts.length; i++) s.add(`dir:${parts.slice(0, i).join('/')}:0`);
  }
  return s;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Why an ALLOWed case is wrong, per reader ('' = fine). */
function problems(g: Set<string>, extracted: Record<string, ExtractResult>, go: GoResult): string[] {
  const out: string[] = [];
  for (const [mode, r] of Object.entries(extracted)) {
    if (r.error) out.push(`${mode}: failed: ${r.error}`);
    if (r.outside.length || r.escapes.length)
      out.push(`${mode}: wrote outside: ${JSON.stringify([...r.outside, ...r.escapes])}`);
    if (r.created.some((c) => c.type !== 'file' && c.type !== 'dir'))
      out.push(`${mode}: created a link or device`);
    const s = extractedSet(r);
    if (!sameSet(s, g))
      out.push(
        `${mode}: entry set ${JSON.stringify([...s].sort())} != gate ${JSON.stringify([...g].sort())}`,
      );
  }
  if (go.error) out.push(`go: failed: ${go.error}`);
  if (go.entries.some((e) => e.escapes)) out.push('go: escapes');
  if (go.entries.some((e) => e.type !== 'file' && e.type !== 'dir'))
    out.push('go: a link, device or unknown type');
  const s = goSet(go);
  if (!sameSet(s, g))
    out.push(`go: entry set ${JSON.stringify([...s].sort())} != gate ${JSON.stringify([...g].sort())}`);
  return out;
}

/** Archives written by the real tools from one small tree (long names force GNU L and PAX records). */
function realArchives(work: string): Record<string, Buffer> {
  const src = join(work, 'tree');
  const long = `base/${'d'.repeat(60)}/${'f'.repeat(70)}`;
  for (const [p, d] of Object.entries({
    PG_VERSION: '15\n',
    'base/1/1259': 'x'.repeat(600),
    [long]: 'long',
    backup_label: 'START WAL LOCATION',
  })) {
    mkdirSync(join(src, p, '..'), { recursive: true });
    writeFileSync(join(src, p), d);
  }
  const out: Record<string, Buffer> = {};
  const make = (label: string, cmd: string, args: string[]): void => {
    const f = join(work, `${label}.tar`);
    execFileSync(cmd, [...args.map((a) => a.replace('@OUT', f))], { cwd: src, stdio: 'ignore' });
    out[label] = readFileSync(f);
  };
  make('gnutar-gnu', 'tar', ['--format=gnu', '-cf', '@OUT', '.']);
  make('gnutar-posix', 'tar', ['--format=posix', '-cf', '@OUT', 'PG_VERSION', 'base', 'backup_label']);
  make('gnutar-ustar', 'tar', ['--format=ustar', '-cf', '@OUT', '.']);
  make('bsdtar', 'bsdtar', ['-cf', '@OUT', '.']);
  make('python', 'python3', [
    '-c',
    'import tarfile,sys; t=tarfile.open(sys.argv[1],"w",format=tarfile.PAX_FORMAT); t.add("."); t.close()',
    '@OUT',
  ]);
  return out;
}

describe('tar differential: gate vs GNU tar, bsdtar, Python tarfile, Go archive/tar', function () {
  // The long run (npm run fuzz:tar) has no time limit; npm test's few hundred cases get two minutes.
  this.timeout(RUNS > 500 ? 0 : 120_000);
  let goBin: string;
  let work: string;
  const figures = { cases: 0, allowed: 0, blocked: 0, readersEscapedOrLinked: 0, readersDisagreed: 0 };

  before(() => {
    goBin = requireExtractors();
    work = mkdtempSync(join(tmpdir(), 'mg-tar-diff-'));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    console.log(`      tar differential figures: ${JSON.stringify(figures)}`);
  });

  it(`${RUNS} mutated archives: every case some reader would misread is BLOCKed (seed ${SEED})`, async () => {
    const real = realArchives(work);
    const base = fc.oneof(
      fc.constantFrom(...Object.keys(real)).map((k) => ({ label: k, tar: real[k]! })),
      synthetic.map((t) => ({ label: 'synthetic', tar: t })),
    );
    const arb = fc
      .record({
        base,
        mutations: fc.array(mutation, { minLength: 0, maxLength: 3 }),
        checksum: fc.constantFrom(
          'unsigned' as const,
          'unsigned' as const,
          'signed' as const,
          'keep' as const,
        ),
      })
      .map(({ base: b, mutations, checksum }): Case => ({
        base: b.label,
        mutations,
        checksum,
        tar: applyMutations(b.tar, mutations, checksum),
      }));
    const cases = fc.sample(arb, { numRuns: RUNS, seed: SEED });
    // The unmutated real archives must pass and agree (the good path).
    for (const [label, tar] of Object.entries(real))
      cases.unshift({ base: label, mutations: [], checksum: 'keep', tar });
    const failures: string[] = [];
    const BATCH = 500;
    for (let start = 0; start < cases.length; start += BATCH) {
      const batch = cases.slice(start, start + BATCH);
      const dir = join(work, `batch-${start}`);
      mkdirSync(dir);
      const files = batch.map((c, i) => {
        const f = join(dir, `case-${start + i}.tar`);
        writeFileSync(f, c.tar);
        return f;
      });
      const [go, ...extracted] = await Promise.all([
        goListAll(goBin, files),
        ...EXTRACTING_MODES.map((m) => extractAll(m, dir, files)),
      ]);
      batch.forEach((c, i) => {
        figures.cases++;
        const g = gate(c.tar);
        const per = Object.fromEntries(EXTRACTING_MODES.map((m, j) => [m, extracted[j]![i]!]));
        const bad = problems(g.decision === 'ALLOW' ? g.entries : new Set(), per, go[i]!);
        if (bad.some((b) => /outside|escapes|link|device/.test(b))) figures.readersEscapedOrLinked++;
        if (g.decision === 'BLOCK') {
          figures.blocked++;
          return;
        }
        figures.allowed++;
        const real = problems(g.entries, per, go[i]!);
        if (real.length) {
          figures.readersDisagreed++;
          failures.push(
            `case ${start + i} (${c.base}, checksum ${c.checksum}, mutations ${JSON.stringify(c.mutations)}): ALLOWed but\n  ${real.join('\n  ')}`,
          );
          // Printed as found: a long run that is stopped still shows what it found.
          console.log(`      DISAGREEMENT ${failures.at(-1)!.slice(0, 4000)}`);
        }
      });
      rmSync(dir, { recursive: true, force: true });
    }
    expect(failures, failures.slice(0, 5).join('\n')).to.deep.equal([]);
    // The unmutated real archives are the good path: they must be allowed.
    expect(figures.allowed).to.be.at.least(Object.keys(real).length);
  });
});
