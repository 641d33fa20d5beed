// A MigrationRequest that references an app config (spec.config), over real
// HTTPS to the real app with a real artifact root: T1 and T2 make one
// decision and one audit record (scenario T2, config.* steps), a T1 finding
// blocks without echoing the secret it found, a config over
// GATE_MAX_CONFIG_BYTES is refused naming the limit, and an UPDATE that only
// changes spec.config is judged again.
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import { admissionReview, asStored } from '../support/admission-review.js';
import { MemoryAuditSink } from '../support/memory-audit-sink.js';
import { postReview, startWebhookGate, type WebhookGate } from '../support/webhook-harness.js';

type Response = { allowed: boolean; status?: { code: number; message: string } };

describe('webhook: MigrationRequest with spec.config over HTTPS', () => {
  let gate: WebhookGate;
  let sink: MemoryAuditSink;
  let root: string;
  const example = (file = 'good-migrationrequest-with-config.yaml'): Record<string, unknown> => {
    const text = readFileSync(`examples/k8s/${file}`, 'utf8').replaceAll(
      'file:///artifacts/',
      `file://${root}/`,
    );
    return parse(text) as Record<string, unknown>;
  };
  const withConfigUrl = (mr: Record<string, unknown>, url: string): Record<string, unknown> => {
    const spec = mr.spec as { config: Record<string, unknown> };
    return { ...mr, spec: { ...spec, config: { ...spec.config, url } } };
  };
  const send = async (
    object: Record<string, unknown>,
    opts: Parameters<typeof admissionReview>[1] = {},
  ): Promise<Response> => (await postReview(gate, admissionReview(object, opts))).json.response as Response;

  before(async () => {
    // Its own artifact root: the example artifacts plus a config over the limit.
    root = mkdtempSync(path.join(os.tmpdir(), 'gate-artifacts-'));
    for (const dir of ['t1_good', 't1_bad/inline-secret', 't2_good'])
      cpSync(path.resolve('examples', dir), path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, 't1_good', 'huge-app-config.yaml'), `# padding\n${'x: 1\n'.repeat(5_000)}`);
    // The good config with a YAML merge key: PyYAML, Go yaml and SnakeYAML would turn debug on.
    writeFileSync(
      path.join(root, 't1_good', 'merge-app-config.yaml'),
      `${readFileSync('examples/t1_good/app-config.yaml', 'utf8')}overrides:\n  <<: {debug: true, verify_ssl: false}\n`,
    );
    sink = new MemoryAuditSink();
    gate = await startWebhookGate(
      { GATE_ARTIFACT_ROOT: root, GATE_MAX_CONFIG_BYTES: '16384' },
      { auditSink: sink },
    );
  });
  after(async () => {
    await gate.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('allows a good request with one audit record: scenario T2, T2 steps and passing config.* steps', async () => {
    const before = sink.records.length;
    const r = await send(example());
    expect(r.allowed, r.status?.message).to.equal(true);
    expect(sink.records.length).to.equal(before + 1);
    const record = sink.records.at(-1) as AuditRecord;
    expect(record).to.deep.include({ scenario: 'T2', decision: 'ALLOW' });
    expect(record.subject).to.include({
      kind: 'MigrationRequest',
      app_id: 'orders-api',
      version: '2026.11.3',
    });
    const config = record.steps.filter((s) => s.step.startsWith('config.'));
    expect(config.map((s) => s.step)).to.deep.equal([
      'config.read',
      'config.parse',
      'config.schema',
      'config.signature',
      'config.hash',
      'config.compare',
      'config.policies',
    ]);
    expect(
      config.every((s) => s.status === 'pass'),
      JSON.stringify(config),
    ).to.equal(true);
    expect(record.steps.length).to.be.greaterThan(config.length);
  });

  it('spec.config.manifestJson with a signature over its exact bytes verifies and the record names the key; a wrong one, or a second env, is a BLOCK (issue 12)', async () => {
    const manifestJson = readFileSync('examples/t1_good/migration_manifest.json', 'utf8');
    const sig = readFileSync('examples/t1_good/migration_manifest.json.sig', 'utf8');
    const mr = example();
    const spec = mr.spec as { config: { url: string } };
    const withConfig = (config: Record<string, unknown>): Record<string, unknown> => ({
      ...mr,
      spec: { ...spec, config: { url: spec.config.url, ...config } },
    });
    const configSignature = (): { status: string; detail?: string } | undefined =>
      (sink.records.at(-1) as AuditRecord).steps.find((st) => st.step === 'config.signature');

    const good = await send(withConfig({ manifestJson, signature: { format: 'detached', value: sig } }));
    expect(good.allowed, good.status?.message).to.equal(true);
    expect(configSignature()).to.deep.include({
      status: 'pass',
      detail: 'detached signature verified with key example-ed25519',
    });

    // The same manifest with one more space: the fields say the same, the bytes differ, the signature does not cover them.
    const respaced = await send(
      withConfig({
        manifestJson: manifestJson.replace('{\n', '{ \n'),
        signature: { format: 'detached', value: sig },
      }),
    );
    expect(respaced.allowed).to.equal(false);
    expect(
      respaced
        .status!.message.split('\n')
        .slice(1)
        .some((l) => /^\[signature-invalid\] the detached signature does not verify/.test(l)),
      respaced.status!.message,
    ).to.equal(true);
    expect(configSignature()).to.deep.include({ status: 'fail' });

    const staging = await send(withConfig({ manifestJson: manifestJson.replace('"prod"', '"staging"') }));
    expect(staging.allowed).to.equal(false);
    expect(
      staging
        .status!.message.split('\n')
        .slice(1)
        .some((l) =>
          /^\[spec-manifest-mismatch\] the manifest says env "staging" but spec.env \("prod"\) allows only "prod"/.test(
            l,
          ),
        ),
      staging.status!.message,
    ).to.equal(true);
  });

  it('blocks an inline secret in the config by its rule, and the secret appears in neither the answer nor the record', async () => {
    const secret = /password: "([^"]+)"/.exec(
      readFileSync('examples/t1_bad/inline-secret/app-config.yaml', 'utf8'),
    )![1]!;
    const r = await send(example('bad-mr-config-inline-secret.yaml'));
    expect(r.allowed).to.equal(false);
    expect(
      r
        .status!.message.split('\n')
        .slice(1)
        .some((l) => l.startsWith('[no-inline-secrets]')),
      r.status!.message,
    ).to.equal(true);
    expect(JSON.stringify(r)).not.to.contain(secret);
    expect(sink.records.at(-1)!.scenario).to.equal('T2');
    expect(JSON.stringify(sink.records.at(-1))).not.to.contain(secret);
  });

  it('refuses a config over GATE_MAX_CONFIG_BYTES: one record, [config-too-large] naming the limit', async () => {
    const before = sink.records.length;
    const r = await send(withConfigUrl(example(), `file://${root}/t1_good/huge-app-config.yaml`));
    expect(r.allowed).to.equal(false);
    const [first, ...reasons] = r.status!.message.split('\n');
    expect(first).to.match(
      /^migration-gate BLOCKED MigrationRequest payments\/orders-db-with-config \(T2, request [0-9A-Z]{26}\)$/,
    );
    expect(reasons).to.have.length(1);
    expect(reasons[0]).to.match(
      /^\[config-too-large\] app config: t1_good\/huge-app-config\.yaml is \d+ bytes; the limit is 16384 \(GATE_MAX_CONFIG_BYTES\) \(at spec\.config\.url\)$/,
    );
    expect(sink.records.length).to.equal(before + 1);
    expect(JSON.stringify(sink.records.at(-1))).not.to.contain('padding');
  });

  it('blocks a config with a YAML merge key as [config-ambiguous], naming its path (issue 11)', async () => {
    const r = await send(withConfigUrl(example(), `file://${root}/t1_good/merge-app-config.yaml`));
    expect(r.allowed).to.equal(false);
    const reasons = r.status!.message.split('\n').slice(1);
    expect(reasons[0], r.status!.message).to.match(
      /^\[config-ambiguous\] overrides\.<<: a YAML merge key "<<" is a plain key under YAML 1\.2 but merges/,
    );
    expect(sink.records.at(-1)).to.deep.include({ scenario: 'T2', decision: 'BLOCK' });
  });

  it('judges an UPDATE that only points spec.config somewhere else', async () => {
    const old = asStored(example());
    const moved = withConfigUrl(old, `file://${root}/t1_good/missing.yaml`);
    const before = sink.records.length;
    const r = await send(moved, { operation: 'UPDATE', oldObject: old });
    expect(r.allowed).to.equal(false);
    expect(r.status!.message.split('\n')[1]).to.match(
      /^\[config-unavailable\] app config: artifact .*missing\.yaml is not a file under the artifact root/,
    );
    expect(sink.records.length).to.equal(before + 1);
    expect(sink.records.at(-1)!.subject).to.include({ operation: 'UPDATE' });
  });
});
