// A MigrationRequest with spec.config through the real admitter: the config
// is read through the artifact source (capped), T1 runs on it in the request
// itself on every admission, and only the T2 verification is cached, keyed by
// the T2 part of the spec.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  AdmissionReviewSchema,
  type AdmissionRequest,
} from '../../../src/core/admission/admission-review.js';
import { parseMigrationRequest } from '../../../src/core/admission/migration-request.js';
import type { Evaluation } from '../../../src/core/contracts/report.js';
import { decide } from '../../../src/core/decision.js';
import { GateError } from '../../../src/core/errors.js';
import { sha256Hex } from '../../../src/core/hashing.js';
import type { ArtifactSource, ByteSource } from '../../../src/core/ports/artifacts.js';
import { DEFAULT_REPLICATION_LIMITS } from '../../../src/core/replication/pipeline.js';
import { checkConfig } from '../../../src/services/admission/migration-request-config.js';
import { replicationAdmitter } from '../../../src/services/admission/migration-request.js';
import { BackgroundVerifications, type Progress } from '../../../src/services/admission/verifications.js';
import type { GateContext } from '../../../src/services/gate-context.js';
import { admissionReview } from '../../support/admission-review.js';
import { mrContext } from '../../support/mr-admit.js';
import { signManifest } from '../../support/signed-t1.js';

const PROD_PATH = { env: 'prod' as const, path: '/validate/prod' };

const EXAMPLES = path.resolve('examples');
const CONFIG_URL = 'file:///mem/app-config.yaml';
const GOOD_CONFIG = readFileSync('examples/t1_good/app-config.yaml');
const TLS_OFF = readFileSync('examples/t1_bad/tls-off-prod/app-config.yaml');
const digestOf = (b: Uint8Array): string => `sha256:${sha256Hex(b)}`;

/** Real example files, plus in-memory ones under file:///mem/ that a test may change; the snapshot waits for `release()`. */
class Artifacts implements ArtifactSource {
  readonly memory = new Map<string, Uint8Array>();
  snapshotOpens = 0;
  #release: () => void = () => {};
  #released: Promise<void> = Promise.resolve();

  holdSnapshot(): void {
    this.#released = new Promise((r) => {
      this.#release = r;
    });
  }

  release(): void {
    this.#release();
  }

  async open(url: string): Promise<ByteSource> {
    const inMemory = this.memory.get(url);
    if (inMemory) return { stream: once(inMemory), size: inMemory.byteLength, name: 'mem/app-config.yaml' };
    if (url.startsWith('file:///mem/'))
      throw new GateError('artifact-unavailable', 'artifact /mem/… does not exist under the artifact root');
    const file = new URL(url).pathname;
    const bytes = readFileSync(file);
    if (!file.endsWith('snapshot.tar.gz'))
      return { stream: once(bytes), size: bytes.length, name: path.basename(file) };
    this.snapshotOpens += 1;
    const released = this.#released;
    async function* held(): AsyncIterable<Uint8Array> {
      await released;
      yield bytes;
    }
    return { stream: held(), size: bytes.length, name: 'snapshot.tar.gz' };
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** Hands out every started verification's promise, so a test can wait for the background run without a timer. */
class WatchedVerifications extends BackgroundVerifications {
  readonly started: Array<Promise<Evaluation>> = [];

  override start(
    key: string,
    work: (onProgress: (p: Progress) => void) => Promise<Evaluation>,
  ): { progress: Progress; done: Promise<Evaluation> } | undefined {
    const r = super.start(key, work);
    if (r) this.started.push(r.done);
    return r;
  }
}

const goodSpec = (): Record<string, unknown> =>
  JSON.parse(
    JSON.stringify(
      (parse(readFileSync('examples/k8s/good-migrationrequest.yaml', 'utf8')) as { spec: unknown }).spec,
    ).replaceAll('file:///artifacts/', `file://${EXAMPLES}/`),
  ) as Record<string, unknown>;
/** A signed config reference (t1-signature-required): the manifest as exact text, signed with the example key. */
const configRef = (configSha256: string, url = CONFIG_URL) => {
  const manifestJson = JSON.stringify({
    app_id: 'orders-api',
    env: 'prod',
    version: '2026.11.3',
    config_sha256: configSha256,
  });
  return { url, manifestJson, signature: { format: 'detached' as const, value: signManifest(manifestJson) } };
};
const requestOf = (spec: Record<string, unknown>): AdmissionRequest =>
  AdmissionReviewSchema.parse(
    admissionReview({
      apiVersion: 'migrationgate.io/v1alpha1',
      kind: 'MigrationRequest',
      metadata: { name: 'orders-db', namespace: 'payments' },
      spec,
    }),
  ).request;
const specOf = (spec: Record<string, unknown>) => {
  const r = parseMigrationRequest({ spec });
  if (!r.ok) throw new Error(r.message);
  return r.spec;
};
const report = (e: Evaluation) => decide(e, { requestId: 'r', timestamp: '2026-11-23T10:00:00.000Z' });
const stepsOf = (e: Evaluation): Record<string, string> =>
  Object.fromEntries(e.steps.map((s) => [s.step, s.status]));

describe('MigrationRequest spec.config admission', () => {
  let ctx: GateContext;

  before(async () => {
    ctx = await mrContext();
  });

  describe('checkConfig (the T1 half)', () => {
    const deps = (artifacts: ArtifactSource, maxConfigBytes = 1 << 20) => ({ artifacts, maxConfigBytes });

    it('is undefined without spec.config', async () => {
      expect(await checkConfig(ctx, specOf(goodSpec()), deps(new Artifacts()), 5_000)).to.equal(undefined);
    });

    it('reads the config and runs every T1 step on it, with the spec env', async () => {
      const artifacts = new Artifacts();
      artifacts.memory.set(CONFIG_URL, GOOD_CONFIG);
      const e = (await checkConfig(
        ctx,
        specOf({ ...goodSpec(), config: configRef(digestOf(GOOD_CONFIG)) }),
        deps(artifacts),
        5_000,
      ))!;
      expect(stepsOf(e)).to.deep.equal({
        read: 'pass',
        parse: 'pass',
        schema: 'pass',
        signature: 'pass',
        hash: 'pass',
        compare: 'pass',
        policies: 'pass',
      });
      expect(e.findings.filter((f) => f.action === 'block')).to.deep.equal([]);
      expect(e.subject).to.include({ app_id: 'orders-api', env: 'prod', version: '2026.11.3' });
    });

    it('judges the config by the MigrationRequest env: TLS off blocks in prod, only warns in staging', async () => {
      const artifacts = new Artifacts();
      artifacts.memory.set(CONFIG_URL, TLS_OFF);
      const ref = configRef(digestOf(TLS_OFF));
      const prod = (await checkConfig(ctx, specOf({ ...goodSpec(), config: ref }), deps(artifacts), 5_000))!;
      expect(prod.findings.filter((f) => f.action === 'block').map((f) => f.rule)).to.include(
        'prod-requires-tls',
      );
      const staging = (await checkConfig(
        ctx,
        specOf({ ...goodSpec(), env: 'staging', config: ref }),
        deps(artifacts),
        5_000,
      ))!;
      expect(staging.findings.filter((f) => f.action === 'block').map((f) => f.rule)).not.to.include(
        'prod-requires-tls',
      );
    });

    it('a config over the limit is [config-too-large], naming the limit, never the content', async () => {
      const artifacts = new Artifacts();
      artifacts.memory.set(CONFIG_URL, GOOD_CONFIG);
      const e = (await checkConfig(
        ctx,
        specOf({ ...goodSpec(), config: configRef(digestOf(GOOD_CONFIG)) }),
        deps(artifacts, 64),
        5_000,
      ))!;
      expect(e.findings).to.have.length(1);
      expect(e.findings[0]).to.deep.include({
        rule: 'config-too-large',
        action: 'block',
        path: 'spec.config.url',
      });
      expect(e.findings[0]!.message).to.contain('the limit is 64');
      expect(JSON.stringify(e)).not.to.contain('orders-db.internal');
      expect(stepsOf(e)).to.deep.equal({
        read: 'fail',
        parse: 'skipped',
        schema: 'skipped',
        signature: 'skipped',
        hash: 'skipped',
        compare: 'skipped',
        policies: 'skipped',
      });
    });

    it('a config that grows past the limit while streaming (no size known) is [config-too-large] too', async () => {
      const streamed: ArtifactSource = {
        open: async () => ({
          stream: (async function* () {
            yield GOOD_CONFIG;
            yield GOOD_CONFIG;
          })(),
          name: 'big.yaml',
        }),
      };
      const e = (await checkConfig(
        ctx,
        specOf({ ...goodSpec(), config: configRef(digestOf(GOOD_CONFIG)) }),
        deps(streamed, GOOD_CONFIG.length + 1),
        5_000,
      ))!;
      expect(e.findings.map((f) => f.rule)).to.deep.equal(['config-too-large']);
    });

    it('an unreadable URL is [config-unavailable] with the artifact problem; a stream error is not echoed', async () => {
      const missing = (await checkConfig(
        ctx,
        specOf({ ...goodSpec(), config: configRef(digestOf(GOOD_CONFIG)) }),
        deps(new Artifacts()),
        5_000,
      ))!;
      expect(missing.findings).to.have.length(1);
      expect(missing.findings[0]).to.deep.include({ rule: 'config-unavailable', action: 'block' });
      expect(missing.findings[0]!.message).to.match(
        /^app config: artifact .* does not exist under the artifact root$/,
      );
      const leaky: ArtifactSource = {
        open: async () => ({
          stream: (async function* () {
            yield Buffer.from('a: 1\n');
            throw new Error('password: hunter2');
          })(),
          name: 'x',
        }),
      };
      const failed = (await checkConfig(
        ctx,
        specOf({ ...goodSpec(), config: configRef(digestOf(GOOD_CONFIG)) }),
        deps(leaky),
        5_000,
      ))!;
      expect(failed.findings.map((f) => f.message)).to.deep.equal([
        'app config: the config could not be read',
      ]);
    });

    it('a config that does not arrive within the admission deadline is [config-unavailable]', async () => {
      const never: ArtifactSource = { open: () => new Promise<ByteSource>(() => {}) };
      const e = (await checkConfig(
        ctx,
        specOf({ ...goodSpec(), config: configRef(digestOf(GOOD_CONFIG)) }),
        deps(never),
        50,
      ))!;
      expect(e.findings.map((f) => f.rule)).to.deep.equal(['config-unavailable']);
      expect(e.findings[0]!.message).to.contain('within the admission deadline');
    });
  });

  describe('replicationAdmitter with spec.config', () => {
    const admitterWith = (artifacts: Artifacts, verifications: BackgroundVerifications) =>
      replicationAdmitter(ctx, {
        artifacts,
        limits: DEFAULT_REPLICATION_LIMITS,
        verifications,
        backgroundTimeoutMs: 10_000,
      });
    const verificationsFor = () =>
      new WatchedVerifications({ maxEntries: 4, resultTtlMs: 60_000, now: () => Date.now() });
    const subject = { kind: 'MigrationRequest', name: 'orders-db', namespace: 'payments' };

    it('one evaluation, scenario T2: T2 steps then config.* steps; a T1 block blocks an otherwise good request', async () => {
      const artifacts = new Artifacts();
      artifacts.memory.set(CONFIG_URL, TLS_OFF);
      const admitter = admitterWith(artifacts, verificationsFor());
      const e = await admitter(
        requestOf({ ...goodSpec(), config: configRef(digestOf(TLS_OFF)) }),
        subject,
        new AbortController().signal,
        5_000,
        PROD_PATH,
      );
      expect(e.scenario).to.equal('T2');
      const names = e.steps.map((s) => s.step);
      expect(names.filter((n) => !n.startsWith('config.'))).not.to.have.length(0);
      expect(names.slice(names.indexOf('config.read'))).to.deep.equal([
        'config.read',
        'config.parse',
        'config.schema',
        'config.signature',
        'config.hash',
        'config.compare',
        'config.policies',
      ]);
      expect(
        e.steps.filter((s) => !s.step.startsWith('config.')).every((s) => s.status !== 'fail'),
        'T2 itself passes',
      ).to.equal(true);
      const r = report(e);
      expect(r.decision).to.equal('BLOCK');
      expect(r.reasons.some((l) => l.startsWith('[prod-requires-tls]'))).to.equal(true);
      expect(r.subject).to.include({ app_id: 'orders-api', name: 'orders-db' });
    });

    it('re-checks the config on every admission while the T2 result comes from the background verification', async () => {
      const artifacts = new Artifacts();
      artifacts.memory.set(CONFIG_URL, GOOD_CONFIG);
      artifacts.holdSnapshot();
      const verifications = verificationsFor();
      const admitter = admitterWith(artifacts, verifications);
      const spec = { ...goodSpec(), config: configRef(digestOf(GOOD_CONFIG)) };

      // First apply: the snapshot is held, so T2 is still verifying; the config is checked already.
      const first = await admitter(requestOf(spec), subject, new AbortController().signal, 300, PROD_PATH);
      expect(report(first).reasons.map((l) => l.split(']')[0])).to.deep.equal(['[still-verifying']);
      expect(stepsOf(first)).to.include({
        'config.read': 'pass',
        'config.compare': 'pass',
        'config.policies': 'pass',
      });

      artifacts.release();
      expect(report(await verifications.started[0]!).decision, 'T2 alone allows').to.equal('ALLOW');

      // Someone edits the config behind the URL; the same spec is applied again.
      artifacts.memory.set(CONFIG_URL, TLS_OFF);
      const retry = await admitter(requestOf(spec), subject, new AbortController().signal, 5_000, PROD_PATH);
      expect(artifacts.snapshotOpens, 'T2 came from the background result').to.equal(1);
      expect(stepsOf(retry)).to.include({ snapshot: 'pass', 'config.compare': 'fail' });
      expect(report(retry).reasons.map((l) => l.split(']')[0])).to.deep.equal(['[config-hash-mismatch']);
    });

    it('a retry that fixes only the config picks up the running snapshot verification', async () => {
      const artifacts = new Artifacts();
      artifacts.memory.set(CONFIG_URL, TLS_OFF);
      artifacts.holdSnapshot();
      const verifications = verificationsFor();
      const admitter = admitterWith(artifacts, verifications);

      const first = await admitter(
        requestOf({ ...goodSpec(), config: configRef(digestOf(TLS_OFF)) }),
        subject,
        new AbortController().signal,
        300,
        PROD_PATH,
      );
      const reasons = report(first).reasons.map((l) => l.split(']')[0]);
      expect(reasons).to.include.members(['[still-verifying', '[prod-requires-tls']);

      artifacts.memory.set('file:///mem/fixed.yaml', GOOD_CONFIG);
      artifacts.release();
      await verifications.started[0];
      const fixed = await admitter(
        requestOf({ ...goodSpec(), config: configRef(digestOf(GOOD_CONFIG), 'file:///mem/fixed.yaml') }),
        subject,
        new AbortController().signal,
        5_000,
        PROD_PATH,
      );
      expect(report(fixed).decision, report(fixed).reasons.join('\n')).to.equal('ALLOW');
      expect(verifications.started).to.have.length(1);
      expect(artifacts.snapshotOpens).to.equal(1);
    });
  });
});
