// A map with a `constructor` key reaches the rules as a Map (cel-values.ts:
// cel-js types objects by .constructor). The built-ins read only plain
// objects' own keys, so one extra `constructor:` key hid every bind host and
// every short secret_key of that map from no-public-bind and
// secret-key-min-length: a prod config with 0.0.0.0 and a 5-character
// secret_key passed both. Found while profiling admission (issue 11).
import { expect } from 'chai';
import { baseline, goodConfig, t1 } from './baseline-fixture.js';

const set = baseline();
const rules = (config: unknown): string[] => t1(set, config).map((f) => `${f.rule} ${f.path ?? ''}`.trim());

describe('a `constructor` key hides nothing from the built-in rules', () => {
  it('at the top level: the wildcard host and the short secret_key are still found', () => {
    const config = { ...goodConfig(), constructor: 'x', host: '0.0.0.0', secret_key: 'short' };
    expect(rules(config)).to.include.members(['no-public-bind host', 'secret-key-min-length secret_key']);
  });

  it('under server, in a ports[] entry and in a nested section', () => {
    const config = {
      ...goodConfig(),
      server: { constructor: 1, bind: '::' },
      ports: [{ constructor: true, port: 8443, host: '0', public: true }],
      django: { constructor: 'y', secret_key: 'tooshort' },
    };
    expect(rules(config)).to.include.members([
      'no-public-bind server.bind',
      'no-public-bind ports[0].host',
      'no-public-bind ports[0].public',
      'secret-key-min-length django.secret_key',
    ]);
  });

  it('a good config with a `constructor` key still passes every rule', () => {
    expect(
      rules({ ...goodConfig(), constructor: 'metadata', server: { constructor: 1, host: '10.0.0.5' } }),
    ).to.deep.equal([]);
  });
});
