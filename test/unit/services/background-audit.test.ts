// The background audit over a fake cluster: existing ConfigMaps judged as
// admission would judge them, one OpenReports Report per enforced
// namespace, re-run on a policy change, partial failures reported, no
// secret value in any report.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { OpenReport } from '../../../src/core/background-audit/open-report.js';
import { localGate } from '../../../src/cli/local-gate.js';
import {
  BackgroundAudit,
  type ClusterReader,
  type EnforcedNamespace,
} from '../../../src/services/audit/background-audit.js';
import { readPolicyDir } from '../../../src/adapters/policy-files.js';

const example = (file: string, namespace?: string): Record<string, unknown> => {
  const o = parse(readFileSync(path.join('examples/k8s', file), 'utf8')) as {
    metadata: Record<string, unknown>;
  };
  if (namespace) o.metadata.namespace = namespace;
  return o;
};
const settings = {
  gatedKeys: ['app-config.yaml', 'app-config.yml', 'app-config.json'],
  maxConfigBytes: 1024 * 1024,
};

function fakeCluster(
  namespaces: EnforcedNamespace[],
  objects: Record<string, unknown[]>,
  failing: string[] = [],
): { reader: ClusterReader; written: OpenReport[] } {
  const written: OpenReport[] = [];
  return {
    written,
    reader: {
      enforcedNamespaces: async () => namespaces,
      configMaps: async (ns) => {
        if (failing.includes(ns)) throw new Error(`forbidden: ${ns}`);
        return objects[ns] ?? [];
      },
    },
  };
}

describe('background audit (services/background-audit.ts)', () => {
  it('judges existing ConfigMaps per namespace binding and writes one Report per enforced namespace', async () => {
    const gate = await localGate('policies', 'examples/keys/trusted');
    const cluster = fakeCluster(
      [
        { name: 'payments', env: 'prod' },
        { name: 'payments-staging', env: 'staging' },
        { name: 'empty', env: 'prod' },
      ],
      {
        payments: [
          example('good-configmap.yaml'),
          example('bad-tls-off.yaml'),
          example('plain-configmap.yaml'),
          example('bad-inline-secret.yaml'),
        ],
        'payments-staging': [example('good-configmap.yaml', 'payments-staging')],
      },
    );
    const audit = new BackgroundAudit(gate, {
      ...settings,
      reader: cluster.reader,
      writer: {
        write: async (r) => {
          cluster.written.push(r);
        },
      },
    });
    const run = await audit.run('start');
    expect(cluster.written.map((r) => r.metadata.namespace)).to.deep.equal([
      'payments',
      'payments-staging',
      'empty',
    ]);
    const payments = cluster.written[0]!;
    expect(payments).to.deep.include({
      apiVersion: 'openreports.io/v1alpha1',
      kind: 'Report',
      source: 'migration-gate',
    });
    expect(payments.metadata.name).to.equal('migration-gate');
    const byObject = (name: string) => payments.results.filter((r) => r.resources[0]!.name === name);
    const good = example('good-configmap.yaml') as { metadata: { name: string } };
    expect(byObject(good.metadata.name).map((r) => r.result)).to.deep.equal(['pass']);
    const tls = byObject((example('bad-tls-off.yaml') as { metadata: { name: string } }).metadata.name);
    expect(tls.find((r) => r.rule === 'prod-requires-tls')).to.deep.include({
      result: 'fail',
      severity: 'critical',
      policy: 'migration-gate/T1',
    });
    // Not gated: not in the report at all.
    expect(
      payments.results.some(
        (r) =>
          r.resources[0]!.name ===
          (example('plain-configmap.yaml') as { metadata: { name: string } }).metadata.name,
      ),
    ).to.equal(false);
    expect(payments.summary.fail).to.equal(payments.results.filter((r) => r.result === 'fail').length);
    // The same signed-off prod config in a staging namespace fails the binding, as admission would.
    expect(cluster.written[1]!.results.map((r) => r.rule)).to.include('env-mismatch');
    expect(cluster.written[2]!.results).to.deep.equal([]);
    expect(run).to.deep.include({ namespaces: 3, errors: [] });
    expect(run.failing.map((f) => f.name)).to.include(
      (example('bad-tls-off.yaml') as { metadata: { name: string } }).metadata.name,
    );
    expect(audit.last()).to.equal(run);
  });

  it('never puts a secret value in a report', async () => {
    const gate = await localGate('policies', 'examples/keys/trusted');
    const cm = example('bad-inline-secret.yaml') as { data: Record<string, string> };
    const config = Object.values(cm.data).find((v) => v.includes('password'))!;
    const secret = /password:\s*"?([^"\n]+)"?/.exec(config)![1]!;
    const cluster = fakeCluster([{ name: 'payments', env: 'prod' }], { payments: [cm] });
    await new BackgroundAudit(gate, {
      ...settings,
      reader: cluster.reader,
      writer: {
        write: async (r) => {
          cluster.written.push(r);
        },
      },
    }).run('start');
    expect(cluster.written[0]!.results.map((r) => r.rule)).to.include('no-inline-secrets');
    expect(JSON.stringify(cluster.written)).to.not.contain(secret);
  });

  it('a namespace that cannot be read, or a report that cannot be written, is an error of the run; the others still go out', async () => {
    const gate = await localGate('policies', 'examples/keys/trusted');
    const cluster = fakeCluster(
      [
        { name: 'a', env: 'prod' },
        { name: 'b', env: 'prod' },
        { name: 'c', env: 'prod' },
      ],
      { c: [example('bad-tls-off.yaml', 'c')] },
      ['a'],
    );
    const audit = new BackgroundAudit(gate, {
      ...settings,
      reader: cluster.reader,
      writer: {
        write: async (r) => {
          if (r.metadata.namespace === 'b') throw new Error('conflict');
          cluster.written.push(r);
        },
      },
    });
    const run = await audit.run('periodic');
    expect(run.errors).to.deep.equal([
      'listing configmaps in a: forbidden: a',
      'writing the report in b: conflict',
    ]);
    expect(cluster.written.map((r) => r.metadata.namespace)).to.deep.equal(['c']);
  });

  it('a policy set change re-evaluates: a new rule shows up in the next report, with the new digest', async () => {
    const gate = await localGate('policies', 'examples/keys/trusted');
    const cluster = fakeCluster([{ name: 'payments', env: 'prod' }], {
      payments: [example('good-configmap.yaml')],
    });
    const runs: string[] = [];
    const audit = new BackgroundAudit(gate, {
      ...settings,
      reader: cluster.reader,
      writer: {
        write: async (r) => {
          cluster.written.push(r);
        },
      },
      onRun: (s) => runs.push(s.reason),
    });
    audit.start(3_600_000);
    for (let i = 0; i < 100 && runs.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(cluster.written.at(-1)!.summary).to.deep.include({ pass: 1, fail: 0 });
    const files = await readPolicyDir('policies');
    files.push({
      name: 'freeze.yaml',
      text: 'apiVersion: migrationgate.io/v1alpha1\nkind: PolicySet\nmetadata: {name: freeze}\nrules:\n  - {id: orders-frozen, scenario: T1, severity: high, action: block, expression: "manifest.app_id != \'orders-api\'", message: orders-api is frozen}\n',
    });
    expect(gate.policies.reload(files, new Date())).to.equal(true);
    for (let i = 0; i < 100 && runs.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await audit.stop();
    expect(runs).to.deep.equal(['start', 'policy-change']);
    const last = cluster.written.at(-1)!;
    expect(last.results.map((r) => r.rule)).to.include('orders-frozen');
    expect(last.metadata.annotations['migrationgate.io/policy-digest']).to.equal(
      gate.policies.current()!.digest,
    );
  });
});
