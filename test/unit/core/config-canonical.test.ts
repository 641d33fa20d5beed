import { expect } from 'chai';
import { canonicalConfig, foldKey, splitFlat } from '../../../src/core/config-canonical.js';
import { literalReaderProblems } from '../../../src/core/config-literal-readers.js';

const view = (c: Record<string, unknown>): unknown => {
  const r = canonicalConfig(c);
  if (!r.ok) throw new Error(`refused: ${r.problems.join('; ')}`);
  return JSON.parse(JSON.stringify(r.config));
};
const problems = (c: Record<string, unknown>): string[] => {
  const r = canonicalConfig(c);
  expect(r.ok, 'must be refused').to.equal(false);
  return r.ok ? [] : r.problems;
};

describe('config canonical view (relaxed binding)', () => {
  it('folds case, "-", "_" and camelCase the way Spring Boot / Viper do', () => {
    for (const k of [
      'secret_key',
      'SECRET_KEY',
      'secretKey',
      'secret-key',
      'SecretKey',
      'secret.key'.replace('.', ''),
    ])
      expect(foldKey(k)).to.equal('secretkey');
    expect(foldKey('InsecureSkipVerify')).to.equal(foldKey('insecure_skip_verify'));
    expect(splitFlat('a.b[0].c')).to.deep.equal(['a', 'b', '0', 'c']);
  });

  const spellings: Array<[string, Record<string, unknown>, unknown]> = [
    ['TLS: {enabled: false}', { TLS: { enabled: false } }, { tls: { enabled: false } }],
    ['Tls: {Enabled: false}', { Tls: { Enabled: false } }, { tls: { enabled: false } }],
    ['flat tls.enabled', { 'tls.enabled': false }, { tls: { enabled: false } }],
    ['flat TLS.MinVersion', { 'TLS.MinVersion': '1.0' }, { tls: { min_version: '1.0' } }],
    ['DEBUG', { DEBUG: true }, { debug: true }],
    ['SECRET_KEY', { SECRET_KEY: 'x' }, { secret_key: 'x' }],
    ['secretKey', { secretKey: 'x' }, { secret_key: 'x' }],
    ['secret-key', { 'secret-key': 'x' }, { secret_key: 'x' }],
    ['InsecureSkipVerify', { InsecureSkipVerify: true }, { insecure_skip_verify: true }],
    [
      'tls.InsecureSkipVerify nested',
      { tls: { InsecureSkipVerify: true } },
      { tls: { insecure_skip_verify: true } },
    ],
    ['flat ssl.verify', { 'ssl.verify': false }, { ssl: { verify: false } }],
    ['verifySsl', { verifySsl: false }, { verify_ssl: false }],
    ['VERIFY_SSL', { VERIFY_SSL: false }, { verify_ssl: false }],
    [
      'Ports[].HOST and Public',
      { Ports: [{ HOST: '0.0.0.0', Public: true }, 8080] },
      { ports: [{ host: '0.0.0.0', public: true }, 8080] },
    ],
    ['CORS.AllowedOrigins flat', { 'CORS.AllowedOrigins': '*' }, { cors: { allowed_origins: '*' } }],
    ['Audit-Enabled nested', { Audit: { ENABLED: false } }, { audit: { enabled: false } }],
    ['PBKDF2Iterations', { PBKDF2Iterations: 1000 }, { pbkdf2_iterations: 1000 }],
    ['secretsRef', { secretsRef: 'vault:kv/x' }, { secrets_ref: 'vault:kv/x' }],
  ];
  for (const [name, input, want] of spellings) {
    it(`reads ${name} under the canonical snake_case name`, () => expect(view(input)).to.deep.equal(want));
  }

  it('merges two flat keys of one section (one spelling of the prefix)', () => {
    expect(view({ 'tls.enabled': true, 'tls.min_version': '1.3' })).to.deep.equal({
      tls: { enabled: true, min_version: '1.3' },
    });
  });

  it('passes keys the baseline does not understand through untouched (no renaming, no expansion)', () => {
    const c = {
      tls: { enabled: true, certFile: '/x', 'a.b': 1 },
      'server.port': 8080,
      TLS_ENABLED: false,
      Logging: { Level: 'info' },
      'api.example.com': { weight: 1 },
    };
    expect(view(c)).to.deep.equal(c);
  });

  it('leaves a clean config with ordinary keys unchanged', () => {
    const c = {
      tls: { enabled: true, min_version: '1.2' },
      ports: [{ port: 8443, host: '127.0.0.1' }],
      secrets_ref: 'vault:kv/a',
      debug: false,
      cors: { allowed_origins: ['https://a.example'] },
      secret_key: '${K}',
      pbkdf2_iterations: 600000,
      audit: { enabled: true },
      features: { new_ui: true },
    };
    const r = canonicalConfig(c);
    expect(r.ok).to.equal(true);
    if (r.ok) {
      expect(JSON.parse(JSON.stringify(r.config))).to.deep.equal(c);
      expect([...r.spelled]).to.deep.equal([]);
    }
  });

  it('records each policy leaf reached only through a folded or flat spelling (for the literal-reader refusal)', () => {
    const r = canonicalConfig({
      TLS: { enabled: true },
      'audit.enabled': true,
      Ports: [{ host: '10.0.0.1' }],
      tls_x: 1,
      debug: false,
    });
    expect(r.ok && r.relaxed.map((x) => [x.canon, x.shown, x.flat])).to.deep.equal([
      ['tls.enabled', 'TLS.enabled', false],
      ['audit.enabled', 'audit.enabled', true],
      ['ports[].host', 'Ports[].host', false],
    ]);
    const clean = canonicalConfig({
      tls: { enabled: true },
      ports: [{ host: '10.0.0.1' }],
      audit: { enabled: true },
    });
    expect(clean.ok && clean.relaxed).to.deep.equal([]);
  });

  it('refuses a safe value only relaxed binding sees, keeps an unsafe one for its rule, hides odd keys', () => {
    const reasons = (c: Record<string, unknown>): string[] => {
      const r = canonicalConfig(c);
      return r.ok ? literalReaderProblems(r.relaxed) : ['not ok'];
    };
    expect(reasons({ TLS: { enabled: true } })).to.have.length(1);
    expect(reasons({ TLS: { enabled: false } })).to.deep.equal([]);
    expect(reasons({ 'tls.min_version': '1.0' })).to.deep.equal([]);
    expect(reasons({ 'tls.min_version': 'TLSv1.3' })[0]).to.contain(
      'flat key "tls.min_version" sets tls.min_version',
    );
    expect(reasons({ HOST: '::' })).to.deep.equal([]);
    expect(reasons({ HOST: '127.0.0.1' })[0]).to.contain('HOST sets host');
    expect(
      reasons({
        DEBUG: false,
        SkipVerify: false,
        'cors.allowed_origins': ['https://a'],
        Ports: [{ Public: false, Port: 1 }],
      }),
    ).to.deep.equal([]);
    expect(reasons({ 'T L S': { enabled: true } })[0]).to.contain(
      '[config-ambiguous] <key>.enabled sets tls.enabled',
    );
    expect(reasons({ 'T\u00e9st': 1, Tls: { Enabled: true } })[0]).to.contain('Tls.Enabled sets tls.enabled');
    expect(
      reasons({
        'tls.enabled': true,
        'tls.min_version': '1.2',
        'audit.enabled': true,
        secretsRef: 'v:x',
        verifySsl: true,
        HOST: 'a',
        BIND: 'b',
      }),
    ).to.have.length(5);
  });

  it('records the spelling the config used for finding paths', () => {
    const r = canonicalConfig({ TLS: { Enabled: false } });
    expect(r.ok && [...r.spelled]).to.deep.equal([
      ['tls', 'TLS'],
      ['tls.enabled', 'TLS.Enabled'],
    ]);
  });

  describe('two spellings of one key are refused, naming both paths', () => {
    const pairs: Array<[string, Record<string, unknown>, string[]]> = [
      ['TLS beside tls', { TLS: { enabled: false }, tls: { enabled: true } }, ['TLS', 'tls']],
      [
        'TLS beside tls (different subkeys)',
        { TLS: { min_version: '1.0' }, tls: { enabled: true } },
        ['TLS', 'tls'],
      ],
      [
        'flat tls.enabled beside tls: {enabled}',
        { tls: { enabled: true }, 'tls.enabled': false },
        ['tls', '"tls.enabled"'],
      ],
      [
        'flat TLS.ENABLED beside flat tls.enabled',
        { 'tls.enabled': true, 'TLS.ENABLED': false },
        ['"tls.enabled"', '"TLS.ENABLED"'],
      ],
      [
        'secretKey beside secret_key',
        { secret_key: '${K}', secretKey: 'short' },
        ['secret_key', 'secretKey'],
      ],
      [
        'SECRET_KEY beside secret-key',
        { 'secret-key': '${K}', SECRET_KEY: 'short' },
        ['secret-key', 'SECRET_KEY'],
      ],
      [
        'InsecureSkipVerify beside insecure_skip_verify',
        { insecure_skip_verify: false, InsecureSkipVerify: true },
        ['insecure_skip_verify', 'InsecureSkipVerify'],
      ],
      ['DEBUG beside debug', { debug: false, DEBUG: true }, ['debug', 'DEBUG']],
      ['verifySsl beside VERIFY_SSL', { verifySsl: true, VERIFY_SSL: false }, ['verifySsl', 'VERIFY_SSL']],
      [
        'tls.verify_ssl beside tls.verifySsl',
        { tls: { enabled: true, verify_ssl: true, verifySsl: false } },
        ['tls.verify_ssl', 'tls.verifySsl'],
      ],
      [
        'a port host twice',
        { ports: [{ host: '127.0.0.1', Host: '0.0.0.0' }] },
        ['ports[0].host', 'ports[0].Host'],
      ],
      [
        'unrelated keys too (anywhere in the config)',
        { app: { myKey: 1, my_key: 2 } },
        ['app.myKey', 'app.my_key'],
      ],
      ['scalar tls beside flat tls.enabled', { tls: false, 'tls.enabled': true }, ['tls', '"tls.enabled"']],
    ];
    for (const [name, input, named] of pairs) {
      it(name, () => {
        const [p, ...rest] = problems(input);
        expect(rest).to.deep.equal([]);
        expect(p).to.match(/^\[config-ambiguous\] /);
        for (const n of named) expect(p).to.include(n);
      });
    }

    it('never echoes values, and hides keys that are not plain identifiers', () => {
      const [p] = problems({ 'hunter2 pass': 'S3cretValue', hunter2pass: 'OtherValue' });
      expect(p).to.include('<key>');
      expect(p).not.to.include('S3cret');
      expect(p).not.to.include('OtherValue');
      expect(p).not.to.include('hunter2 pass');
    });
  });

  describe('attacks on the folding', () => {
    const lookalikes: Array<[string, string]> = [
      ['full-width ｔｌｓ', 'ｔｌｓ'],
      ['full-width ＤＥＢＵＧ', 'ＤＥＢＵＧ'],
      ['Turkish dotted capital İ in verİfy_ssl', 'verİfy_ssl'],
      ['Turkish dotless ı in audıt', 'audıt'],
      ['Kelvin sign in K-less skip: sKip_verify', 's\u212Aip_verify'],
      ['long s ſecret_key', 'ſecret_key'],
      ['combining mark in de\u0301bug', 'de\u0301bug'],
      ['mathematical bold 𝐝𝐞𝐛𝐮𝐠', '𝐝𝐞𝐛𝐮𝐠'],
    ];
    for (const [name, key] of lookalikes) {
      it(`refuses a non-ASCII key that folds onto a policy key: ${name}`, () => {
        const [p] = problems({ [key]: true });
        expect(p).to.match(/^\[config-ambiguous\] key <key> has non-ASCII letters/);
      });
    }

    it('refuses a lookalike nested under a policy section and inside a flat key', () => {
      expect(problems({ tls: { ｅｎａｂｌｅｄ: false } })[0]).to.include('non-ASCII');
      expect(problems({ 'tls.ｅｎａｂｌｅｄ': false })[0]).to.include('non-ASCII');
    });

    it('passes non-ASCII keys that fold onto no policy key', () => {
      expect(view({ größe: 1, データ: 2, tls: { enabled: true } })).to.deep.equal({
        größe: 1,
        データ: 2,
        tls: { enabled: true },
      });
    });

    it('refuses flat list-index keys under a policy key (Spring reads ports[0] as an item, others do not)', () => {
      expect(problems({ 'ports[0].host': '0.0.0.0' })[0]).to.include('indexes a list');
      expect(problems({ 'ports.0.host': '0.0.0.0' })[0]).to.include('indexes a list');
      expect(problems({ ports: [{ host: '127.0.0.1' }], 'PORTS[0].host': '0.0.0.0' })).to.have.length(1);
    });

    it('folds separators and punctuation Spring strips (spaces, dots inside nested keys stay flat)', () => {
      expect(view({ ' debug ': true })).to.deep.equal({ debug: true });
      expect(problems({ debug: false, 'de bug': true })[0]).to.include('one key ("debug")');
    });

    it('does not treat a YAML alias reused in two places as two spellings', () => {
      const shared = { enabled: true };
      expect(view({ tls: shared, audit: shared })).to.deep.equal({
        tls: { enabled: true },
        audit: { enabled: true },
      });
    });

    it('reports at most five ambiguities', () => {
      const c: Record<string, unknown> = {};
      for (let i = 0; i < 20; i += 1) {
        c[`k${i}_x`] = 1;
        c[`K${i}X`] = 2;
      }
      expect(problems(c)).to.have.length(5);
    });
  });
});
