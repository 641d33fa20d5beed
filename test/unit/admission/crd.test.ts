// The CRD and the zod contract say the same thing (DESIGN: every contract
// lives once in src/core; the CRD is checked against it), its CEL rules hold
// for every example and reject what they are meant to, and every
// MigrationRequest example satisfies the contract.
import { Environment } from '@marcbachmann/cel-js';
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  MigrationRequestSpecSchema,
  parseMigrationRequest,
} from '../../../src/core/admission/migration-request.js';

interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: string[];
  default?: unknown;
  'x-kubernetes-validations'?: Array<{ rule: string; message: string }>;
}

const crd = parse(readFileSync('deploy/crds/migrationrequests.yaml', 'utf8')) as {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames: string[]; categories: string[] };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      additionalPrinterColumns: Array<{ name: string }>;
      schema: { openAPIV3Schema: Schema };
    }>;
  };
};
const version = crd.spec.versions[0]!;
const specSchema = version.schema.openAPIV3Schema.properties!.spec!;
const examples = readdirSync('examples/k8s')
  .filter((f) => f.endsWith('.yaml') && f !== 'namespace.yaml')
  .map(
    (f) =>
      parse(readFileSync(`examples/k8s/${f}`, 'utf8')) as { kind: string; spec?: Record<string, unknown> },
  )
  .filter((o) => o.kind === 'MigrationRequest');

/** Walk a zod object and the matching OpenAPI object together: same fields, same required set, same enums. */
function compare(zodType: z.ZodType, schema: Schema, at: string): void {
  let t: z.ZodType = zodType;
  while (t instanceof z.ZodOptional || t instanceof z.ZodDefault || t instanceof z.ZodPipe)
    t = (t instanceof z.ZodPipe ? t.in : t.unwrap()) as z.ZodType;
  if (t instanceof z.ZodObject) {
    const shape = t.shape as Record<string, z.ZodType>;
    expect(Object.keys(schema.properties ?? {}).sort(), `${at} fields`).to.deep.equal(
      Object.keys(shape).sort(),
    );
    const required = Object.entries(shape)
      .filter(([, v]) => !v.safeParse(undefined).success)
      .map(([k]) => k)
      .sort();
    expect([...(schema.required ?? [])].sort(), `${at} required`).to.deep.equal(required);
    for (const [k, v] of Object.entries(shape)) compare(v, schema.properties![k]!, `${at}.${k}`);
  } else if (t instanceof z.ZodArray) {
    expect(schema.type, at).to.equal('array');
    compare(t.element as z.ZodType, schema.items!, `${at}[]`);
  } else if (t instanceof z.ZodEnum) {
    expect(schema.enum, at).to.deep.equal(t.options);
  } else if (t instanceof z.ZodString) {
    expect(schema.type, at).to.equal('string');
  } else if (t instanceof z.ZodNumber) {
    expect(schema.type, at).to.equal('integer');
  }
}

function celRules(schema: Schema, at = 'spec'): Array<{ at: string; rule: string }> {
  const own = (schema['x-kubernetes-validations'] ?? []).map((v) => ({ at, rule: v.rule }));
  return [...own, ...Object.entries(schema.properties ?? {}).flatMap(([k, s]) => celRules(s, `${at}.${k}`))];
}

function valueAt(spec: Record<string, unknown>, at: string): unknown {
  return at
    .split('.')
    .slice(1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], spec);
}

function holds(rule: string, self: unknown): boolean {
  const env = new Environment();
  env.registerVariable('self', 'map');
  return env.evaluate(rule, { self }) === true;
}

describe('MigrationRequest CRD', () => {
  it('is migrationrequests.migrationgate.io v1alpha1, namespaced, short name mr, category migrationgate', () => {
    expect(crd.metadata.name).to.equal('migrationrequests.migrationgate.io');
    expect(crd.spec).to.include({ group: 'migrationgate.io', scope: 'Namespaced' });
    expect(crd.spec.names).to.deep.include({
      kind: 'MigrationRequest',
      plural: 'migrationrequests',
      shortNames: ['mr'],
      categories: ['migrationgate'],
    });
    expect(version).to.include({ name: 'v1alpha1', served: true, storage: true });
    expect(version.additionalPrinterColumns.map((c) => c.name)).to.include.members([
      'App',
      'Env',
      'Scenario',
      'Snapshot',
      'Age',
    ]);
  });

  it('has the spec fields, required set and enums of the zod contract', () => {
    compare(MigrationRequestSpecSchema, specSchema, 'spec');
  });

  it('has CEL rules that hold for every example', () => {
    const rules = celRules(specSchema);
    expect(rules.length).to.be.greaterThan(2);
    for (const o of examples) {
      for (const r of rules) {
        const self = valueAt(o.spec!, r.at);
        if (self !== undefined) expect(holds(r.rule, self), `${r.at}: ${r.rule}`).to.equal(true);
      }
    }
  });

  it('has CEL rules that reject a bad snapshot scheme and an ambiguous signature', () => {
    const snapshotRule = celRules(specSchema).find((r) => r.at === 'spec.snapshot')!.rule;
    expect(holds(snapshotRule, { url: 'http://insecure.example.com/s.tar.gz' })).to.equal(false);
    expect(holds(snapshotRule, { url: 'file://relative/s.tar.gz' })).to.equal(false);
    const signatureRule = celRules(specSchema).find((r) => r.at === 'spec.signature')!.rule;
    expect(holds(signatureRule, { format: 'detached', value: 'x', url: 'https://a/b' })).to.equal(false);
    expect(holds(signatureRule, { format: 'detached' })).to.equal(false);
  });

  it('has a CEL rule that rejects a config URL that is neither file:/// nor https://', () => {
    const configRule = celRules(specSchema).find((r) => r.at === 'spec.config')!.rule;
    expect(holds(configRule, { url: 'file:///artifacts/t1_good/app-config.yaml' })).to.equal(true);
    expect(holds(configRule, { url: 'http://store.example.com/app-config.yaml' })).to.equal(false);
    expect(holds(configRule, { url: 'file://relative/app-config.yaml' })).to.equal(false);
  });

  it('has CEL rules that want exactly one manifest form and a signature only over manifestJson (issue 12)', () => {
    const rules = celRules(specSchema)
      .filter((r) => r.at === 'spec.config')
      .map((r) => r.rule);
    const all = (self: Record<string, unknown>): boolean => rules.every((r) => holds(r, self));
    const url = 'file:///artifacts/t1_good/app-config.yaml';
    const manifest = { appId: 'a', version: '1', configSha256: 'sha256:00000000' };
    const signature = { format: 'detached', value: 'AAAA' };
    expect(all({ url, manifest })).to.equal(true);
    expect(all({ url, manifestJson: '{}', signature })).to.equal(true);
    expect(all({ url })).to.equal(false);
    expect(all({ url, manifest, manifestJson: '{}' })).to.equal(false);
    expect(all({ url, manifest, signature })).to.equal(false);
  });

  it('has MigrationRequest examples with a config reference, each with the required manifest', () => {
    const withConfig = examples.filter((o) => o.spec?.config !== undefined);
    expect(withConfig.length).to.be.greaterThan(2);
    const required = specSchema.properties!.config!.properties!.manifest!.required!;
    for (const o of withConfig) {
      const c = o.spec!.config as { manifest?: object; manifestJson?: string };
      if (c.manifestJson !== undefined)
        expect(Object.keys(JSON.parse(c.manifestJson) as object)).to.include.members([
          'app_id',
          'env',
          'version',
          'config_sha256',
        ]);
      else expect(Object.keys(c.manifest!)).to.include.members(required);
    }
  });

  it('every MigrationRequest example satisfies the contract', () => {
    expect(examples.length).to.be.greaterThan(3);
    for (const o of examples)
      expect(parseMigrationRequest(o), JSON.stringify(o.spec).slice(0, 80)).to.deep.include({ ok: true });
  });
});
