// The shipped JSON Schema for policy files is the zod schema's, every
// policies/*.yaml names it for editors, and the files validate against it.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import Ajv from 'ajv';
import yaml from 'js-yaml';
import { policyFileJsonSchema } from '../../src/core/contracts/policy-file-json-schema.js';

const root = new URL('../../', import.meta.url);
const shipped = JSON.parse(
  readFileSync(new URL('schemas/policyset.v1alpha1.schema.json', root), 'utf8'),
) as object;

describe('policy file JSON Schema', () => {
  it('is in sync with the zod schema (regenerate: npx tsx scripts/gen-policy-schema.ts)', () => {
    expect(shipped).to.deep.equal(policyFileJsonSchema());
  });

  it('every policies/*.yaml names it in a yaml-language-server comment and validates against it', () => {
    const validate = new Ajv({ allErrors: true }).compile(shipped);
    const files = readdirSync(new URL('policies/', root)).filter((n) => n.endsWith('.yaml'));
    expect(files.length).to.be.greaterThan(0);
    for (const f of files) {
      const text = readFileSync(new URL(`policies/${f}`, root), 'utf8');
      expect(text.split('\n')[0], f).to.equal(
        '# yaml-language-server: $schema=../schemas/policyset.v1alpha1.schema.json',
      );
      expect(validate(yaml.load(text)), `${f}: ${JSON.stringify(validate.errors)}`).to.equal(true);
    }
  });

  it("rejects what the gate rejects that JSON Schema can say: a typo'd key, a bad id, a wrong action", () => {
    const validate = new Ajv().compile(shipped);
    const base = { apiVersion: 'migrationgate.io/v1alpha1', kind: 'PolicySet', metadata: { name: 'x' } };
    const rule = {
      id: 'r',
      scenario: 'T1',
      severity: 'low',
      action: 'warn',
      expression: 'true',
      message: 'm',
    };
    expect(validate({ ...base, rules: [rule] })).to.equal(true);
    expect(validate({ ...base, rules: [{ ...rule, expresion: 'x' }] })).to.equal(false);
    expect(validate({ ...base, rules: [{ ...rule, id: 'Not_Kebab' }] })).to.equal(false);
    expect(validate({ ...base, rules: [{ ...rule, action: 'deny' }] })).to.equal(false);
  });
});
