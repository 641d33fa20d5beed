// Issue 11, T1: a config has one meaning or is refused. Each case here was
// ALLOWed before (read as YAML 1.2 only); the differential suite in
// test/differential/ proves the readings against PyYAML, Go yaml and SnakeYAML.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { evaluateConfigCheck as evaluateMigration } from '../../../src/core/config-check.js';
import { decide } from '../../../src/core/decision.js';
import { parseStrictConfig } from '../../../src/core/strict-parse.js';
import { evaluatePolicies } from '../../../src/core/policy/index.js';
import { baseline, VERIFIED_SIGNATURE } from '../policy/baseline-fixture.js';

const set = baseline();
const GOOD = readFileSync('examples/t1_good/app-config.yaml', 'utf8');
const MANIFEST = JSON.parse(readFileSync('examples/t1_good/migration_manifest.json', 'utf8')) as Record<
  string,
  unknown
>;
// Signing is not what these cases are about: the rules see a verified signature (t1-signature-required has its own tests).
const policies = (vars: { env: 'prod' | 'staging' } & Record<string, unknown>) =>
  evaluatePolicies(set, { scenario: 'T1', env: vars.env, vars: { ...vars, signature: VERIFIED_SIGNATURE } });

/** The full T1 pipeline with a manifest that signs the config off, as a decision report. */
function judge(text: string) {
  const config = Buffer.from(text);
  const manifest = { ...MANIFEST, config_sha256: createHash('sha256').update(config).digest('hex') };
  return decide(evaluateMigration({ manifest, config, policies }), {
    requestId: 't',
    timestamp: '2026-01-01T00:00:00.000Z',
  });
}

function refused(text: string): string[] {
  const r = parseStrictConfig(Buffer.from(text), 'app config');
  expect(r.ok, `accepted: ${text}`).to.equal(false);
  if (r.ok) return [];
  expect(r.ambiguities?.length ?? 0, r.message).to.be.greaterThan(0);
  return r.ambiguities!.map((a) => a.message);
}

describe('config parser: one meaning or refuse (YAML 1.1 vs 1.2, merge keys, __proto__)', () => {
  describe('merge keys', () => {
    for (const [label, text, path] of [
      ['inline mapping', '<<: {debug: true, verify_ssl: false}\n', '<<'],
      ['anchor', 'defaults: &d\n  debug: true\napp:\n  <<: *d\n  name: x\n', 'app.<<'],
      ['list of anchors', 'a: &a {x: 1}\nb: &b {z: 2}\nc:\n  <<: [*a, *b]\n', 'c.<<'],
      ['flow mapping', 'app: {<<: {debug: true}, name: x}\n', 'app.<<'],
    ] as const) {
      it(`refuses a merge key (${label}), naming its path`, () => {
        const [m] = refused(text);
        expect(m).to.match(
          new RegExp(
            `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: a YAML merge key "<<" is a plain key under YAML 1.2 but merges`,
          ),
        );
      });
    }

    it('blocks a merge key through the full T1 pipeline with [config-ambiguous], even with a correct hash', () => {
      const report = judge(`${GOOD}overrides:\n  <<: {debug: true, verify_ssl: false}\n`);
      expect(report.decision).to.equal('BLOCK');
      expect(report.reasons[0]).to.match(/^\[config-ambiguous\] overrides\.<<: a YAML merge key/);
    });

    it('accepts a quoted "<<" key: a plain string to every loader', () => {
      expect(parseStrictConfig(Buffer.from('"<<": {debug: true}\n'), 'app config').ok).to.equal(true);
    });
  });

  describe('scalars with a YAML 1.1 reading', () => {
    it('names the path and both readings: port: 0400000', () => {
      expect(refused('server:\n  port: 0400000\n')).to.deep.equal([
        'server.port: 0400000 is 400000 under YAML 1.2 but 131072 under YAML 1.1; quote it',
      ]);
    });

    for (const [text, want] of [
      ['debug: yes', /^debug: yes is the string "yes" under YAML 1.2 but the boolean true under YAML 1.1/],
      ['debug: y', /^debug: y is the string "y" under YAML 1.2 but the boolean true/],
      ['debug: N', /^debug: N is the string "N" under YAML 1.2 but the boolean false/],
      ['debug: On', /the boolean true under YAML 1.1/],
      ['debug: OFF', /the boolean false under YAML 1.1/],
      [
        'debug: yEs',
        /^debug: yEs is the string "yEs" under YAML 1.2 but a boolean in case-insensitive readers/,
      ],
      ['mode: 0o17', /^mode: 0o17 is 15 under YAML 1.2 but the string "0o17" under YAML 1.1/],
      ['mode: 0O17', /^mode: 0O17 is the string "0O17" under YAML 1.2 but 15 under Go's yaml.v2\/v3/],
      ['mode: 0X1F', /but 31 under Go's yaml/],
      ['timeout: 1:20', /^timeout: 1:20 is the string "1:20" under YAML 1.2 but 80 under YAML 1.1/],
      ['when: 190:20:30.15', /but 685230.15 under YAML 1.1/],
      ['count: 1_000', /^count: 1_000 is the string "1_000" under YAML 1.2 but 1000 under YAML 1.1/],
      ['e: 1e3', /^e: 1e3 is 1000 under YAML 1.2 but the string "1e3" under YAML 1.1/],
      ['f: 08', /^f: 08 is 8 under YAML 1.2 but the string "08" under YAML 1.1/],
      [
        'd: 2001-12-14',
        /^d: 2001-12-14 is the string "2001-12-14" under YAML 1.2 but a date\/time under YAML 1.1/,
      ],
      ['v: =', /^v: = is the string "=" under YAML 1.2 but the "value" key type/],
      [
        'big: 12345678901234567890',
        /^big: 12345678901234567890 is 12345678901234567168 under YAML 1.2 but 12345678901234567890/,
      ],
      ['a: !!int 0777', /^a: 0777 is 777 under YAML 1.2 but 511 under YAML 1.1/],
      ['a: ! on', /^a: on is the string "on" under YAML 1.2 but the boolean true/],
      ['list: [1, off]', /^list\[1\]: off is/],
    ] as const) {
      it(`refuses ${text}`, () => {
        const [m] = refused(`${text}\n`);
        expect(m).to.match(want);
      });
    }

    it('counts keys too: on: and 1:20: as keys', () => {
      expect(refused('on: 1\n')[0]).to.match(
        /^on: the key on is the string "on" under YAML 1.2 but the boolean true/,
      );
      expect(refused('1:20: a\n')[0]).to.match(
        /^1:20: the key 1:20 is the string "1:20" under YAML 1.2 but 80/,
      );
    });

    it('lists every ambiguity, each as its own [config-ambiguous] reason through the pipeline', () => {
      const report = judge(`${GOOD}extra:\n  a: on\n  b: 0777\n`);
      expect(report.decision).to.equal('BLOCK');
      expect(report.reasons.filter((r) => r.startsWith('[config-ambiguous] extra.'))).to.have.length(2);
    });

    it('describes, never quotes, a scalar that is long or not plain-looking', () => {
      const [m] = refused('at: 2001-12-14 21:59:43.10 -5\n');
      expect(m).to.equal(
        'at: a 25-character scalar is a string (a 25-character scalar) under YAML 1.2 but a date/time under YAML 1.1; quote it',
      );
    });

    it('accepts what reads the same everywhere: quoted forms, !!str, true/false/null, decimals, 0x, 0b, .inf', () => {
      const text =
        'a: "on"\nb: \'0400000\'\nc: !!str yes\nd: true\ne: False\nf: ~\ng: 8080\nh: 3.14\ni: 0x1F\nj: 0b101\nk: .inf\nl: -12\nm: hello\nnn: "1:20"\n';
      const r = parseStrictConfig(Buffer.from(text), 'app config');
      expect(r.ok, r.ok ? '' : r.message).to.equal(true);
    });
  });

  describe('JSON configs (same parser)', () => {
    it('are not refused: quoted keys and strings (even "on", "0400000", "<<"), JSON numbers and literals', () => {
      const text = JSON.stringify(
        {
          tls: { enabled: true, min_version: '1.2' },
          mode: 'on',
          port: '0400000',
          n: null,
          f: 1.5,
          neg: -3,
          list: ['yes', 'no', '1:20'],
          '<<': { debug: true },
          on: 1,
        },
        null,
        2,
      );
      const r = parseStrictConfig(Buffer.from(text), 'app config');
      expect(r.ok, r.ok ? '' : r.message).to.equal(true);
    });

    it('refuses a JSON number with an exponent: PyYAML reads 1.5e3 as the string "1.5e3"', () => {
      expect(refused('{"e": 1.5e3}')[0]).to.match(
        /^e: 1.5e3 is 1500 under YAML 1.2 but the string "1.5e3" under YAML 1.1/,
      );
    });
  });

  describe('prototype keys', () => {
    it('refuses __proto__ by name, at any depth, quoted or not', () => {
      expect(refused('__proto__: {polluted: true}\n')[0]).to.match(
        /^__proto__: a "__proto__" key is refused: consumers that copy configs with Object.assign/,
      );
      expect(refused('a:\n  "__proto__": 1\n')[0]).to.match(/^a\.__proto__: /);
      expect(judge(`${GOOD}x:\n  __proto__: {admin: true}\n`).reasons[0]).to.match(
        /^\[config-ambiguous\] x\.__proto__/,
      );
    });

    it('constructor and prototype keys neither crash the baseline rules nor block a good config', () => {
      for (const extra of [
        'constructor: 1\n',
        'constructor: {name: x}\n',
        'prototype: 1\nconstructor: 2\n',
        'database2:\n  constructor: 1\n  prototype: {a: 1}\n',
      ]) {
        const report = judge(GOOD + extra);
        expect(report.decision, `${extra}: ${report.reasons.join('; ')}`).to.equal('ALLOW');
      }
    });

    it('constructor and prototype keys do not hide the config from the policies', () => {
      const tlsOff = judge(
        GOOD.replace('enabled: true\n  min_version', 'enabled: false\n  min_version') + 'constructor: 1\n',
      );
      expect(tlsOff.reasons).to.deep.equal([
        '[prod-requires-tls] tls.enabled must be true in prod (found false) (at tls.enabled)',
      ]);
      const debug = judge(GOOD.replace('debug: false', 'debug: true') + 'prototype: 1\nconstructor: 2\n');
      expect(debug.reasons.join('\n')).to.contain('[prod-debug-disabled]');
      for (const parent of ['constructor', 'prototype']) {
        const secret = judge(`${GOOD}${parent}:\n  password: "Zx9-hunter2-Kq7-Lm3-Pp0-Wq8"\n`);
        expect(secret.reasons.join('\n')).to.contain('[no-inline-secrets]');
        expect(JSON.stringify(secret)).to.not.contain('hunter2');
      }
    });
  });
});

describe('config parser: __proto__ written with escapes', () => {
  it('refuses "\\x5f_proto__" and "\\u005f_proto__" keys (no literal __proto__ in the text)', () => {
    for (const text of ['"\\x5f_proto__": {admin: true}\n', 'a: {"\\u005f_proto__": 1}\n']) {
      const r = parseStrictConfig(Buffer.from(text), 'app config');
      expect(r.ok, text).to.equal(false);
      if (!r.ok) expect(r.ambiguities?.[0]?.message).to.match(/__proto__: a "__proto__" key is refused/);
    }
  });
});

describe('config parser: collections as mapping keys', () => {
  it('refuses ? [a, b], [a, b]: and {a: 1}: keys (js-yaml makes them the strings "a,b" / "[object Object]")', () => {
    for (const text of ['? [a, b]\n: 1\n', 'x:\n  [a, b]: 1\n', '{a: 1}: 2\n', '? {x: 1}\n: 2\n']) {
      const r = parseStrictConfig(Buffer.from(text), 'app config');
      expect(r.ok, text).to.equal(false);
      if (!r.ok)
        expect(r.ambiguities?.[0]?.message).to.match(/a mapping or sequence is used as a mapping key/);
    }
  });

  it('accepts flow collections as values and shared (aliased) collections', () => {
    const r = parseStrictConfig(Buffer.from('a: &x {b: [1, 2]}\nc: *x\nd: [{e: 1}, [f]]\n'), 'app config');
    expect(r.ok, r.ok ? '' : r.message).to.equal(true);
  });
});

describe('config parser: disagreements found by the differential fuzz (npm run fuzz:config)', () => {
  for (const [text, want] of [
    ['a: [-__AB:]\n', /^\(line 1\): a plain scalar with ":" next to a flow indicator/],
    ['a:\n  b: [::x]\n', /^\(line 2\): a plain scalar with ":"/],
    ['x: {+:__:}\n', /flow indicator/],
    ['enabled: {retries: :Dcb:b.4}\n', /flow indicator/],
    ['a: 1\nlog: !!str 0.: # note\n', /^\(line 2\): .*a second "key:" on one line/],
    ['a: -0_e-9\n', /^a: -0_e-9 is the string "-0_e-9" under YAML 1.2 but 0 under Go's yaml.v2\/v3/],
    ['a: 1_0e3\n', /but 10000 under Go's yaml/],
    ['a: +._\n', /^a: \+\._ is the string "\+\._" under YAML 1.2 but a load error under SnakeYAML/],
  ] as const) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const r = parseStrictConfig(Buffer.from(text), 'app config');
      expect(r.ok).to.equal(false);
      if (!r.ok) expect(r.ambiguities?.[0]?.message, r.message).to.match(want);
    });
  }

  it('accepts colons that read the same: flow maps, URLs in flow lists, quoted IPv6, comments', () => {
    for (const text of [
      'a: {b: 1, c: [d, e]}\n',
      'u: [http://x.y/z]\n',
      "h: [\"[::1]:80\", 'it''s:']\n",
      '# [a:]\nb: 1\n',
    ]) {
      const r = parseStrictConfig(Buffer.from(text), 'app config');
      expect(r.ok, r.ok ? text : r.message).to.equal(true);
    }
  });
});
