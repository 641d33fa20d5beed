// Warn-first enforcement against a real kube-apiserver: the chart's
// per-mode webhooks route a namespace by its migrationgate.io/enforcement
// label; kubectl prints the would-block warnings in warn, nothing in audit;
// the audit log has the would-be decision and the outcome; integrity
// failures are denied in every mode; a value the chart does not allow is
// enforced.
//
//   npx mocha --config test/e2e/.mocharc.json test/e2e/enforcement-modes.e2e.test.ts
import { expect } from 'chai';
import path from 'node:path';
import { exampleCases, localArtifacts, startGateCluster, type GateCluster } from './support/gate-cluster.js';
import { auditRecords, type AuditItem } from './support/local-gate.js';

const NAMESPACES = { warn: 'payments-warn', audit: 'payments-audit', bogus: 'payments-bogus' } as const;

describe('e2e: enforcement modes (warn / audit) by namespace label', function () {
  let cl: GateCluster;

  before(async () => {
    cl = await startGateCluster({ gate: { env: { GATE_ARTIFACT_ROOT: path.resolve('examples') } } });
    const ns = Object.entries(NAMESPACES)
      .map(([mode, name]) =>
        [
          'apiVersion: v1',
          'kind: Namespace',
          'metadata:',
          `  name: ${name}`,
          '  labels:',
          '    migrationgate.io/enforce: "true"',
          `    migrationgate.io/enforcement: "${mode === 'bogus' ? 'off' : mode}"`,
        ].join('\n'),
      )
      .join('\n---\n');
    const r = await cl.cp.kubectl(['apply', '-f', '-'], { input: ns });
    expect(r.code, r.stderr).to.equal(0);
  });
  after(async () => {
    await cl?.stop();
  });

  const example = (file: string) => exampleCases().find((c) => c.file === file)!;
  const applyIn = (file: string, namespace: string, name: string) => {
    const c = example(file);
    const text = c.text
      .replace(`namespace: ${c.namespace}\n`, `namespace: ${namespace}\n`)
      .replace(`name: ${c.name}\n`, `name: ${name}\n`);
    return cl.cp.kubectl(['apply', '-f', '-'], { input: localArtifacts(text) });
  };
  const recordOf = async (name: string): Promise<AuditItem & { enforcement?: Record<string, unknown> }> => {
    const rec = (await auditRecords(cl.gate)).find((i) => i.subject.name === name);
    expect(rec, `audit record for ${name}`).to.not.equal(undefined);
    return rec as AuditItem & { enforcement?: Record<string, unknown> };
  };

  it('warn: TLS off in prod is created, kubectl prints what would have blocked, the record says BLOCK would-be and ALLOW enforced', async () => {
    const r = await applyIn('bad-tls-off.yaml', NAMESPACES.warn, 'tls-off-warn');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^Warning: \(warn mode: would block\) \[prod-requires-tls\]/m);
    const rec = await recordOf('tls-off-warn');
    expect(rec.decision).to.equal('ALLOW');
    expect(rec.enforcement).to.deep.include({ mode: 'warn', would_be: 'BLOCK', outcome: 'ALLOW' });
    const got = await cl.cp.kubectl([
      'get',
      'configmap',
      '-n',
      NAMESPACES.warn,
      'tls-off-warn',
      '-o',
      'name',
    ]);
    expect(got.stdout.trim()).to.equal('configmap/tls-off-warn');
  });

  it('audit: created silently (no would-block warning), recorded with mode audit', async () => {
    const r = await applyIn('bad-tls-off.yaml', NAMESPACES.audit, 'tls-off-audit');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.not.contain('would block');
    const rec = await recordOf('tls-off-audit');
    expect(rec.enforcement).to.deep.include({ mode: 'audit', would_be: 'BLOCK', outcome: 'ALLOW' });
  });

  it("a tampered config (hash mismatch) is denied in warn and in audit, by the mode's own webhook", async () => {
    for (const mode of ['warn', 'audit'] as const) {
      const r = await applyIn('bad-hash-mismatch.yaml', NAMESPACES[mode], `tampered-${mode}`);
      expect(r.code, r.stdout).to.not.equal(0);
      expect(r.stderr).to.include(
        `admission webhook "${mode}.configmaps.migrationgate.io" denied the request`,
      );
      expect(r.stderr).to.match(/^\[config-hash-mismatch\] /m);
      expect((await recordOf(`tampered-${mode}`)).enforcement).to.deep.include({ mode, outcome: 'BLOCK' });
    }
  });

  it('a label value the chart does not allow ("off") gets the default mode: enforced, denied', async () => {
    const r = await applyIn('bad-tls-off.yaml', NAMESPACES.bogus, 'tls-off-bogus');
    expect(r.code, r.stdout).to.not.equal(0);
    expect(r.stderr).to.include('admission webhook "configmaps.migrationgate.io" denied the request');
    expect(r.stderr).to.match(/^\[prod-requires-tls\] /m);
  });
});
