// checkAppConfig (the schema step on the known fields only) says exactly what
// AppConfigSchema says of the whole config: same verdict, same issues, same
// order, whatever unknown keys sit beside the known ones.
import { expect } from 'chai';
import fc from 'fast-check';
import { AppConfigSchema, checkAppConfig } from '../../../src/core/contracts/app-config.js';

const KNOWN = [
  'tls',
  'verify_ssl',
  'ports',
  'secrets_ref',
  'debug',
  'cors',
  'secret_key',
  'pbkdf2_iterations',
  'audit',
];
const value = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constant(null),
  fc.array(
    fc.oneof(
      fc.string(),
      fc.integer(),
      fc.record({ port: fc.oneof(fc.integer(), fc.string()), host: fc.oneof(fc.string(), fc.boolean()) }),
    ),
  ),
  fc.record(
    {
      enabled: fc.oneof(fc.boolean(), fc.string()),
      min_version: fc.oneof(fc.string(), fc.integer(), fc.boolean()),
      allowed_origins: fc.oneof(fc.string(), fc.array(fc.string()), fc.integer()),
    },
    { requiredKeys: [] },
  ),
);
const config = fc
  .tuple(fc.dictionary(fc.constantFrom(...KNOWN), value), fc.dictionary(fc.string(), value, { maxKeys: 30 }))
  .map(([known, other]) => ({ ...other, ...known }));

const verdict = (r: ReturnType<typeof AppConfigSchema.safeParse>) =>
  r.success ? 'ok' : r.error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message }));

describe('checkAppConfig: the known fields decide alone', () => {
  it('agrees with AppConfigSchema on generated configs', () => {
    fc.assert(
      fc.property(config, (c) => {
        expect(verdict(checkAppConfig(c))).to.deep.equal(verdict(AppConfigSchema.safeParse(c)));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on the examples of a good and a wrongly typed config, unknown keys around them', () => {
    const good = {
      service: 'x',
      tls: { enabled: true, min_version: '1.2' },
      ports: [{ port: 8443, host: '10.0.0.1' }],
      extra: { deep: [1, 2] },
    };
    const bad = {
      ...good,
      tls: { enabled: 'false' },
      ports: [{ port: 70000 }],
      pbkdf2_iterations: 1.5,
      debug: 'no',
    };
    for (const c of [good, bad, Object.assign(Object.create(null) as object, bad)])
      expect(verdict(checkAppConfig(c as Record<string, unknown>))).to.deep.equal(
        verdict(AppConfigSchema.safeParse(c)),
      );
    expect(checkAppConfig(bad).success).to.equal(false);
  });
});
