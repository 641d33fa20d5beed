// Property-based fuzzing of the pure boundaries: whatever the bytes, the
// pipelines answer (no throw, no hang), every step is listed, and input that
// is not valid is a BLOCK. FUZZ_RUNS scales the run (npm run fuzz).
import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { evaluateConfigCheck as evaluateMigration, T1_STEPS } from '../../src/core/config-check.js';
import { decide } from '../../src/core/decision.js';
import { compilePolicySet, evaluatePolicies } from '../../src/core/policy/index.js';
import { verifyReplication, DEFAULT_REPLICATION_LIMITS } from '../../src/core/replication/pipeline.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const policies = compilePolicySet([
  { name: 'baseline.yaml', text: readFileSync('policies/baseline.yaml', 'utf8') },
]);
if (!policies.ok) throw new Error(policies.errors.join('\n'));
const set = policies.set;
const t1Policies = (vars: { env: 'prod' | 'staging' } & Record<string, unknown>) =>
  evaluatePolicies(set, { scenario: 'T1', env: vars.env, vars });
const ctx = { requestId: 'fuzz', timestamp: '2026-01-01T00:00:00.000Z' };
const goodManifest = JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')) as Record<
  string,
  unknown
>;

const yamlish = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc.string({ maxLength: 400 }).map((s) => Buffer.from(s)),
  fc.jsonValue({ maxDepth: 6 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(
          'tls',
          'enabled',
          'ports',
          'host',
          'debug',
          'password',
          '<<',
          '&a',
          '*a',
          '- ',
          '{',
          '}',
          '[',
          ']',
          ':',
          '"',
          '\n',
          '  ',
          '0.0.0.0',
          'true',
          '!!binary',
        ),
        fc.string({ maxLength: 5 }),
      ),
      { maxLength: 60 },
    )
    .map((parts) => Buffer.from(parts.map(([a, b]) => a + b).join(''))),
);

describe(`fuzz: pure boundaries (${RUNS} runs each)`, function () {
  this.timeout(120_000);

  it('T1: any manifest and config bytes -> an evaluation with every step, never a throw', () => {
    fc.assert(
      fc.property(yamlish, yamlish, (manifest, config) => {
        const e = evaluateMigration({ manifest, config, policies: t1Policies });
        expect(e.steps.map((s) => s.step)).to.deep.equal([...T1_STEPS]);
        const report = decide(e, ctx);
        // Random manifest bytes cannot carry the right digest: always BLOCK.
        expect(report.decision).to.equal('BLOCK');
        expect(report.reasons.length).to.be.greaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('T1: any config under a manifest that signs it off -> ALLOW only when every step passed and nothing blocks', () => {
    fc.assert(
      fc.property(yamlish, fc.constantFrom('prod', 'staging'), (config, env) => {
        const manifest = {
          ...goodManifest,
          env,
          config_sha256: createHash('sha256').update(config).digest('hex'),
        };
        const report = decide(evaluateMigration({ manifest, config, policies: t1Policies }), ctx);
        // No signature is supplied here: that step is skipped (t1-signature-required is a policy).
        const clean =
          report.steps.every((s) => s.status === (s.step === 'signature' ? 'skipped' : 'pass')) &&
          report.findings.every((f) => f.action !== 'block');
        expect(report.decision === 'ALLOW').to.equal(clean);
      }),
      { numRuns: RUNS },
    );
  });

  it('policy files: any text compiles or is refused with errors, never a throw', () => {
    const ruleish = fc.record(
      {
        id: fc.oneof(fc.constant('r1'), fc.string({ maxLength: 10 })),
        scenario: fc.constantFrom('T1', 'T2', 'T3'),
        severity: fc.constantFrom('critical', 'low', 'bogus'),
        action: fc.constantFrom('block', 'warn', 'maybe'),
        expression: fc.oneof(fc.constant('config.a == 1'), fc.string({ maxLength: 40 })),
        message: fc.string({ maxLength: 20 }),
      },
      { requiredKeys: [] },
    );
    const fileText = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(ruleish, { maxLength: 4 }).map((rules) =>
        JSON.stringify({
          apiVersion: 'migrationgate.io/v1alpha1',
          kind: 'PolicySet',
          metadata: { name: 'f' },
          rules,
        }),
      ),
    );
    fc.assert(
      fc.property(fileText, (text) => {
        const r = compilePolicySet([{ name: 'fuzz.yaml', text }]);
        if (!r.ok) expect(r.errors.length).to.be.greaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('T2: any manifest, snapshot and WAL bytes -> BLOCK with a reason, never a throw or a hang', async () => {
    const good = readFileSync('examples/t2_good/replication_manifest.yaml');
    const snapshots = fc.oneof(
      fc.uint8Array({ maxLength: 2000 }),
      fc.uint8Array({ maxLength: 4000 }).map((b) => new Uint8Array(gzipSync(b))),
      fc
        .tuple(fc.uint8Array({ maxLength: 3000 }), fc.nat(200), fc.uint8Array({ minLength: 1, maxLength: 8 }))
        .map(([b, at, patch]) => {
          const z = Buffer.from(gzipSync(b));
          z.set(patch.subarray(0, Math.max(0, z.length - at)), Math.min(at, z.length));
          return new Uint8Array(z);
        }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(new Uint8Array(good)), yamlish),
        snapshots,
        fc.array(fc.tuple(fc.string({ maxLength: 30 }), fc.uint8Array({ maxLength: 200 })), { maxLength: 3 }),
        async (manifestBytes, snap, walFiles) => {
          async function* wal() {
            for (const [name, bytes] of walFiles)
              yield {
                name,
                source: {
                  stream: (async function* () {
                    yield bytes;
                  })(),
                  name,
                },
              };
          }
          const e = await verifyReplication({
            manifestBytes,
            snapshot: {
              stream: (async function* () {
                yield snap;
              })(),
              name: 'fuzz.tgz',
            },
            wal: wal(),
            keys: [],
            limits: DEFAULT_REPLICATION_LIMITS,
            policies: (facts) => evaluatePolicies(set, { scenario: 'T2', env: facts.env, vars: facts }),
          });
          const report = decide(e, ctx);
          expect(report.decision).to.equal('BLOCK');
          expect(report.reasons.length).to.be.greaterThan(0);
        },
      ),
      { numRuns: Math.max(20, Math.floor(RUNS / 2)) },
    );
  });
});
