import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { evaluateConfigCheck as evaluateMigration } from '../../../src/core/config-check.js';
import { evaluatePolicies } from '../../../src/core/policy/index.js';
import { LITERAL_READER_KEYS } from '../../../src/core/config-literal-readers.js';
import type { Finding } from '../../../src/core/contracts/report.js';
import type { PolicyEnv } from '../../../src/core/contracts/policy-file.js';
import { baseline, goodConfig, only, rulesOf, t1, VERIFIED_SIGNATURE } from './baseline-fixture.js';

type Outcome = 'pass' | 'block' | 'warn';
interface Case {
  name: string;
  env: PolicyEnv;
  change: (c: Record<string, unknown>) => void;
  expect: Outcome;
}

const set = baseline();

function check(rule: string, cases: Case[]): void {
  describe(rule, () => {
    for (const c of cases) {
      it(`${c.env}: ${c.name} -> ${c.expect}`, () => {
        const config = goodConfig();
        c.change(config);
        const findings = t1(set, config, c.env);
        expect(rulesOf(findings), 'no evaluation error').not.to.include('policy-evaluation-error');
        const mine = only(findings, rule);
        if (c.expect === 'pass') expect(mine, JSON.stringify(mine)).to.deep.equal([]);
        else expect(mine.map((f) => f.action)).to.deep.equal([c.expect]);
      });
    }
  });
}

describe('baseline T1 rules', () => {
  it('accepts the good config in prod and staging', () => {
    expect(t1(set, goodConfig(), 'prod')).to.deep.equal([]);
    expect(t1(set, goodConfig(), 'staging')).to.deep.equal([]);
  });

  check('prod-requires-tls', [
    { name: 'tls.enabled true', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'tls.enabled false',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: false };
      },
      expect: 'block',
    },
    {
      name: 'no tls section',
      env: 'prod',
      change: (c) => {
        delete c.tls;
      },
      expect: 'block',
    },
    {
      name: 'tls.enabled "true" (a string)',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: 'true' };
      },
      expect: 'block',
    },
    {
      name: 'no tls in staging is not this rule',
      env: 'staging',
      change: (c) => {
        delete c.tls;
      },
      expect: 'pass',
    },
  ]);

  check('tls-min-version', [
    ...['1.2', '1.3', 'TLSv1.2', 'TLSv1.3', 1.2, 1.3].map((v): Case => ({
      name: `min_version ${JSON.stringify(v)}`,
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: true, min_version: v };
      },
      expect: 'pass',
    })),
    {
      name: 'absent min_version',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: true };
      },
      expect: 'pass',
    },
    {
      name: 'min_version "1.0"',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: true, min_version: '1.0' };
      },
      expect: 'block',
    },
    {
      name: 'min_version 1.1 (number)',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: true, min_version: 1.1 };
      },
      expect: 'block',
    },
    {
      name: 'min_version "TLSv1.1"',
      env: 'staging',
      change: (c) => {
        c.tls = { enabled: true, min_version: 'TLSv1.1' };
      },
      expect: 'warn',
    },
  ]);

  check('tls-verify-enabled', [
    { name: 'verification flags absent', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'tls.verify true',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: true, verify: true };
      },
      expect: 'pass',
    },
    {
      name: 'verify_ssl false',
      env: 'prod',
      change: (c) => {
        c.verify_ssl = false;
      },
      expect: 'block',
    },
    {
      name: 'tls.verify false',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: true, verify: false };
      },
      expect: 'block',
    },
    {
      name: 'skip_verify true',
      env: 'prod',
      change: (c) => {
        c.skip_verify = true;
      },
      expect: 'block',
    },
    {
      name: 'tls.insecure_skip_verify true',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: true, insecure_skip_verify: true };
      },
      expect: 'block',
    },
    {
      name: 'insecure_skip_verify "yes"',
      env: 'prod',
      change: (c) => {
        c.insecure_skip_verify = 'yes';
      },
      expect: 'block',
    },
    {
      name: 'tls.skip_verify false',
      env: 'prod',
      change: (c) => {
        c.tls = { enabled: true, skip_verify: false };
      },
      expect: 'pass',
    },
    {
      name: 'verify_ssl false',
      env: 'staging',
      change: (c) => {
        c.verify_ssl = false;
      },
      expect: 'warn',
    },
  ]);

  check('no-public-bind', [
    { name: 'loopback host', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'no ports list',
      env: 'prod',
      change: (c) => {
        delete c.ports;
      },
      expect: 'pass',
    },
    {
      name: 'bare port numbers',
      env: 'prod',
      change: (c) => {
        c.ports = [8080, 8443];
      },
      expect: 'pass',
    },
    {
      name: 'ports[].host 0.0.0.0',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, host: '0.0.0.0' }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].bind ::',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, bind: '::' }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].bind [::]:8080',
      env: 'prod',
      change: (c) => {
        c.ports = [{ bind: '[::]:8080' }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].public true',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, host: '10.0.0.5', public: true }];
      },
      expect: 'block',
    },
    {
      name: 'top-level host 0.0.0.0',
      env: 'prod',
      change: (c) => {
        c.host = '0.0.0.0';
      },
      expect: 'block',
    },
    {
      name: 'public bind in staging is allowed',
      env: 'staging',
      change: (c) => {
        c.ports = [{ host: '0.0.0.0' }];
      },
      expect: 'pass',
    },
    {
      name: 'ports[].host "0" (inet_aton: 0.0.0.0)',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, host: '0' }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].host 0 as a number',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, host: 0 }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].bind "[::ffff:0.0.0.0]:80"',
      env: 'prod',
      change: (c) => {
        c.ports = [{ bind: '[::ffff:0.0.0.0]:80' }];
      },
      expect: 'block',
    },
    {
      name: 'top-level listen "0x0:8080"',
      env: 'prod',
      change: (c) => {
        c.listen = '0x0:8080';
      },
      expect: 'block',
    },
    {
      name: 'top-level listen 8080 (a port: every interface)',
      env: 'prod',
      change: (c) => {
        c.listen = 8080;
      },
      expect: 'block',
    },
    {
      name: 'server.host "0:0::0"',
      env: 'prod',
      change: (c) => {
        c.server = { host: '0:0::0' };
      },
      expect: 'block',
    },
    {
      name: 'address ""',
      env: 'prod',
      change: (c) => {
        c.address = '';
      },
      expect: 'block',
    },
    {
      name: 'bind "tcp://0.0.0.0:2375"',
      env: 'prod',
      change: (c) => {
        c.bind = 'tcp://0.0.0.0:2375';
      },
      expect: 'block',
    },
    {
      name: 'ports[].host "010.0.0.1" (readers disagree)',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, host: '010.0.0.1' }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].host "0x" (garbage)',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, host: '0x' }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].host true (not a host)',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, host: true }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].host_ip "0" (Compose long syntax)',
      env: 'prod',
      change: (c) => {
        c.ports = [{ target: 80, published: 8080, host_ip: '0' }];
      },
      expect: 'block',
    },
    {
      name: 'ports[].host a DNS name',
      env: 'prod',
      change: (c) => {
        c.ports = [{ port: 80, host: 'orders.internal.example' }];
      },
      expect: 'pass',
    },
    {
      name: 'ports[].host 10.0.0.5 and ::1',
      env: 'prod',
      change: (c) => {
        c.ports = [{ host: '10.0.0.5' }, { bind: '[::1]:8443' }];
      },
      expect: 'pass',
    },
    {
      name: 'server.listen a unix socket',
      env: 'prod',
      change: (c) => {
        c.listen = 'unix:///run/app.sock';
        c.server = { listen: '/run/app.sock' };
      },
      expect: 'pass',
    },
  ]);

  check('secrets-ref-required', [
    { name: 'string reference', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'map reference',
      env: 'prod',
      change: (c) => {
        c.secrets_ref = { name: 'orders', key: 'db' };
      },
      expect: 'pass',
    },
    {
      name: 'absent',
      env: 'prod',
      change: (c) => {
        delete c.secrets_ref;
      },
      expect: 'block',
    },
    {
      name: 'blank string',
      env: 'prod',
      change: (c) => {
        c.secrets_ref = '  ';
      },
      expect: 'block',
    },
    {
      name: 'absent',
      env: 'staging',
      change: (c) => {
        delete c.secrets_ref;
      },
      expect: 'warn',
    },
  ]);

  check('no-inline-secrets', [
    {
      name: 'reference only',
      env: 'prod',
      change: (c) => {
        c.database = { password: '${DB_PASSWORD}' };
      },
      expect: 'pass',
    },
    {
      name: 'inline password',
      env: 'prod',
      change: (c) => {
        c.database = { password: 'hunter2' };
      },
      expect: 'block',
    },
    {
      name: 'inline password',
      env: 'staging',
      change: (c) => {
        c.database = { password: 'hunter2' };
      },
      expect: 'warn',
    },
    {
      name: 'password in a URL',
      env: 'prod',
      change: (c) => {
        c.database = { url: 'postgres://admin:S3cret@db/orders' };
      },
      expect: 'block',
    },
    {
      name: 'db_pass',
      env: 'prod',
      change: (c) => {
        c.database = { db_pass: 'hunter2' };
      },
      expect: 'block',
    },
    {
      name: '"secret:hunter2" is a literal',
      env: 'prod',
      change: (c) => {
        c.database = { password: 'secret:hunter2' };
      },
      expect: 'block',
    },
    {
      name: 'k8s-secret:// reference',
      env: 'prod',
      change: (c) => {
        c.database = { password: 'k8s-secret://orders/db/password' };
      },
      expect: 'pass',
    },
  ]);

  check('secret-key-min-length', [
    { name: 'reference', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'absent',
      env: 'prod',
      change: (c) => {
        delete c.secret_key;
      },
      expect: 'pass',
    },
    {
      name: '48 chars inline',
      env: 'prod',
      change: (c) => {
        c.secret_key = 'k'.repeat(48);
      },
      expect: 'pass',
    },
    {
      name: '47 chars inline',
      env: 'prod',
      change: (c) => {
        c.secret_key = 'k'.repeat(47);
      },
      expect: 'block',
    },
    {
      name: 'a number',
      env: 'prod',
      change: (c) => {
        c.secret_key = 12345;
      },
      expect: 'block',
    },
    {
      name: 'short inline',
      env: 'staging',
      change: (c) => {
        c.secret_key = 'dev';
      },
      expect: 'warn',
    },
    {
      name: 'SECRET_KEY short',
      env: 'prod',
      change: (c) => {
        c.SECRET_KEY = 'dev';
      },
      expect: 'block',
    },
    {
      name: 'secretKey short',
      env: 'prod',
      change: (c) => {
        c.secretKey = 'dev';
      },
      expect: 'block',
    },
    {
      name: 'nested django.secret_key short',
      env: 'prod',
      change: (c) => {
        c.django = { secret_key: 'django-insecure-abc' };
      },
      expect: 'block',
    },
    {
      name: 'flask_secret_key short',
      env: 'prod',
      change: (c) => {
        c.flask_secret_key = 'abc';
      },
      expect: 'block',
    },
    {
      name: 'nested django.secret_key 48 chars',
      env: 'prod',
      change: (c) => {
        c.django = { secret_key: 'k'.repeat(48) };
      },
      expect: 'pass',
    },
    {
      name: 'vault:// reference',
      env: 'prod',
      change: (c) => {
        c.secret_key = 'vault://kv/orders/secret_key';
      },
      expect: 'pass',
    },
    {
      name: 'secretRef map',
      env: 'prod',
      change: (c) => {
        c.secret_key = { secretKeyRef: { name: 'app', key: 'sk' } };
      },
      expect: 'pass',
    },
    {
      name: '"env:APP_KEY" is a short literal, not a reference',
      env: 'prod',
      change: (c) => {
        c.secret_key = 'env:APP_KEY';
      },
      expect: 'block',
    },
  ]);

  check('pbkdf2-min-iterations', [
    { name: '600000', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'exactly 250000',
      env: 'prod',
      change: (c) => {
        c.pbkdf2_iterations = 250000;
      },
      expect: 'pass',
    },
    {
      name: 'absent',
      env: 'prod',
      change: (c) => {
        delete c.pbkdf2_iterations;
      },
      expect: 'pass',
    },
    {
      name: '249999',
      env: 'prod',
      change: (c) => {
        c.pbkdf2_iterations = 249999;
      },
      expect: 'block',
    },
    {
      name: 'a string',
      env: 'prod',
      change: (c) => {
        c.pbkdf2_iterations = '600000';
      },
      expect: 'block',
    },
    {
      name: '10000',
      env: 'staging',
      change: (c) => {
        c.pbkdf2_iterations = 10000;
      },
      expect: 'warn',
    },
  ]);

  check('prod-debug-disabled', [
    { name: 'debug false', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'debug absent',
      env: 'prod',
      change: (c) => {
        delete c.debug;
      },
      expect: 'pass',
    },
    {
      name: 'debug true',
      env: 'prod',
      change: (c) => {
        c.debug = true;
      },
      expect: 'block',
    },
    {
      name: 'debug "yes"',
      env: 'prod',
      change: (c) => {
        c.debug = 'yes';
      },
      expect: 'block',
    },
    {
      name: 'debug true in staging',
      env: 'staging',
      change: (c) => {
        c.debug = true;
      },
      expect: 'pass',
    },
  ]);

  check('prod-cors-not-wildcard', [
    { name: 'explicit origins', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'no cors section',
      env: 'prod',
      change: (c) => {
        delete c.cors;
      },
      expect: 'pass',
    },
    {
      name: '"*"',
      env: 'prod',
      change: (c) => {
        c.cors = { allowed_origins: '*' };
      },
      expect: 'block',
    },
    {
      name: 'list holding "*"',
      env: 'prod',
      change: (c) => {
        c.cors = { allowed_origins: ['https://a.example', '*'] };
      },
      expect: 'block',
    },
    {
      name: 'comma string holding *',
      env: 'prod',
      change: (c) => {
        c.cors = { allowed_origins: 'https://a.example, *' };
      },
      expect: 'block',
    },
    {
      name: '"*" in staging',
      env: 'staging',
      change: (c) => {
        c.cors = { allowed_origins: '*' };
      },
      expect: 'pass',
    },
  ]);

  check('prod-audit-enabled', [
    { name: 'audit.enabled true', env: 'prod', change: () => {}, expect: 'pass' },
    {
      name: 'audit.enabled false',
      env: 'prod',
      change: (c) => {
        c.audit = { enabled: false };
      },
      expect: 'block',
    },
    {
      name: 'no audit section',
      env: 'prod',
      change: (c) => {
        delete c.audit;
      },
      expect: 'block',
    },
    {
      name: 'no audit in staging',
      env: 'staging',
      change: (c) => {
        delete c.audit;
      },
      expect: 'pass',
    },
  ]);

  describe('t1-signature-required (issue 12)', () => {
    const unsigned = { present: false, verified: false, format: 'none', key_id: '' };
    it('blocks an unsigned manifest in prod, names the rule and path', () => {
      expect(only(t1(set, goodConfig(), 'prod', unsigned), 't1-signature-required')).to.deep.equal([
        {
          rule: 't1-signature-required',
          severity: 'critical',
          action: 'block',
          path: 'signature.verified',
          message: 'the migration manifest must carry a verified signature (not set)',
        },
      ]);
    });
    it('only warns in staging', () => {
      expect(
        only(t1(set, goodConfig(), 'staging', unsigned), 't1-signature-required').map((f) => f.action),
      ).to.deep.equal(['warn']);
    });
    it('passes a verified signature in prod and staging', () => {
      expect(rulesOf(t1(set, goodConfig(), 'prod'))).not.to.include('t1-signature-required');
      expect(rulesOf(t1(set, goodConfig(), 'staging'))).not.to.include('t1-signature-required');
    });
    it('blocks a present signature that did not verify, and fails closed without the signature variable', () => {
      expect(
        only(
          t1(set, goodConfig(), 'prod', { ...VERIFIED_SIGNATURE, verified: false }),
          't1-signature-required',
        ),
      ).to.have.length(1);
      expect(
        only(
          t1(set, goodConfig(), 'prod', { ...VERIFIED_SIGNATURE, verified: 'true' }),
          't1-signature-required',
        ),
      ).to.have.length(1);
      const none = evaluatePolicies(set, {
        scenario: 'T1',
        env: 'prod',
        vars: {
          config: goodConfig(),
          manifest: { app_id: 'a', env: 'prod', version: '1', config_sha256: 'a'.repeat(64) },
          env: 'prod',
        },
      });
      expect(none.filter((f) => f.action === 'block').map((f) => f.rule)).to.include(
        'policy-evaluation-error',
      );
    });
  });

  describe('messages', () => {
    it('appends the found scalar and names the path', () => {
      const c = goodConfig();
      c.tls = { enabled: false };
      const [f] = only(t1(set, c), 'prod-requires-tls');
      expect(f).to.deep.equal({
        rule: 'prod-requires-tls',
        severity: 'critical',
        action: 'block',
        path: 'tls.enabled',
        message: 'tls.enabled must be true in prod (found false)',
      });
    });
    it('says "not set" for an absent field', () => {
      const c = goodConfig();
      delete c.audit;
      expect(only(t1(set, c), 'prod-audit-enabled')[0]?.message).to.equal(
        'audit.enabled must be true in prod (not set)',
      );
    });
    it('never echoes a secret_key value', () => {
      const c = goodConfig();
      c.secret_key = 'tiny-but-secret';
      const fs = t1(set, c);
      expect(only(fs, 'secret-key-min-length')).to.have.length(1);
      expect(JSON.stringify(fs)).not.to.contain('tiny-but-secret');
    });
  });
});

// Relaxed binding: the T1 pipeline hands the rules the canonical view, so the
// finding is raised whichever spelling carries the value (issue 11).
describe('baseline T1 rules under relaxed binding (through the T1 pipeline)', () => {
  const run = (config: Record<string, unknown>, env: PolicyEnv = 'prod'): Finding[] => {
    const bytes = Buffer.from(JSON.stringify(config));
    const manifest = {
      app_id: 'orders-api',
      env,
      version: '1',
      config_sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    // Signing is not what these cases are about: the rules see a verified signature (t1-signature-required has its own tests).
    return evaluateMigration({
      manifest,
      config: bytes,
      policies: (vars) =>
        evaluatePolicies(set, {
          scenario: 'T1',
          env: vars.env,
          vars: { ...vars, signature: VERIFIED_SIGNATURE },
        }),
    }).findings;
  };
  const without = (c: Record<string, unknown>, ...keys: string[]): Record<string, unknown> => {
    for (const k of keys) delete c[k];
    return c;
  };

  it('the good config still passes', () => expect(run(goodConfig())).to.deep.equal([]));

  const cases: Array<[string, (c: Record<string, unknown>) => Record<string, unknown>, string, string]> = [
    [
      'TLS: {enabled: false}',
      (c) => ({ ...without(c, 'tls'), TLS: { enabled: false } }),
      'prod-requires-tls',
      'TLS.enabled',
    ],
    [
      'flat tls.enabled: false',
      (c) => ({ ...without(c, 'tls'), 'tls.enabled': false }),
      'prod-requires-tls',
      'tls.enabled',
    ],
    [
      'flat tls.MIN_VERSION 1.0',
      (c) => ({ ...without(c, 'tls'), 'tls.enabled': false, 'tls.MIN_VERSION': '1.0' }),
      'tls-min-version',
      'tls.MIN_VERSION',
    ],
    [
      'tls.MinVersion 1.0 nested',
      (c) => ({ ...c, tls: { enabled: true, MinVersion: '1.0' } }),
      'tls-min-version',
      'tls.MinVersion',
    ],
    [
      'secretsRef: "  " (blank)',
      (c) => ({ ...without(c, 'secrets_ref'), secretsRef: '  ' }),
      'secrets-ref-required',
      '',
    ],
    ['HOST 0.0.0.0', (c) => ({ ...c, HOST: '0.0.0.0' }), 'no-public-bind', ''],
    ['DEBUG: true', (c) => ({ ...without(c, 'debug'), DEBUG: true }), 'prod-debug-disabled', 'DEBUG'],
    [
      'SECRET_KEY short',
      (c) => ({ ...without(c, 'secret_key'), SECRET_KEY: 'short' }),
      'secret-key-min-length',
      'SECRET_KEY',
    ],
    [
      'secretKey short',
      (c) => ({ ...without(c, 'secret_key'), secretKey: 'short' }),
      'secret-key-min-length',
      'secretKey',
    ],
    [
      'secret-key short',
      (c) => ({ ...without(c, 'secret_key'), 'secret-key': 'short' }),
      'secret-key-min-length',
      'secret-key',
    ],
    ['InsecureSkipVerify: true', (c) => ({ ...c, InsecureSkipVerify: true }), 'tls-verify-enabled', ''],
    [
      'tls.insecureSkipVerify: true',
      (c) => ({ ...c, tls: { enabled: true, insecureSkipVerify: true } }),
      'tls-verify-enabled',
      '',
    ],
    ['flat ssl.verify: false', (c) => ({ ...c, 'ssl.verify': false }), 'tls-verify-enabled', ''],
    ['verifySsl: false', (c) => ({ ...c, verifySsl: false }), 'tls-verify-enabled', ''],
    ['VERIFY_SSL: false', (c) => ({ ...c, VERIFY_SSL: false }), 'tls-verify-enabled', ''],
    [
      'Ports[].Host 0.0.0.0',
      (c) => ({ ...without(c, 'ports'), Ports: [{ Port: 80, Host: '0.0.0.0' }] }),
      'no-public-bind',
      'Ports[].Host',
    ],
    [
      'CORS.AllowedOrigins "*"',
      (c) => ({ ...without(c, 'cors'), CORS: { AllowedOrigins: '*' } }),
      'prod-cors-not-wildcard',
      'CORS.AllowedOrigins',
    ],
    [
      'Audit.Enabled false',
      (c) => ({ ...without(c, 'audit'), Audit: { Enabled: false } }),
      'prod-audit-enabled',
      'Audit.Enabled',
    ],
    [
      'PBKDF2_ITERATIONS 1000',
      (c) => ({ ...without(c, 'pbkdf2_iterations'), PBKDF2_ITERATIONS: 1000 }),
      'pbkdf2-min-iterations',
      'PBKDF2_ITERATIONS',
    ],
  ];
  for (const [name, change, rule, path] of cases) {
    it(`prod: ${name} -> ${rule} blocks${path ? `, path ${path}` : ''}`, () => {
      const mine = only(run(change(goodConfig())), rule);
      expect(
        mine.map((f) => f.action),
        JSON.stringify(mine),
      ).to.deep.equal(['block']);
      if (path) expect(mine[0]!.path).to.equal(path);
    });
  }

  it('the schema step judges the canonical view too: TLS: {enabled: "false"} is a type error, not a pass', () => {
    const findings = run({ ...without(goodConfig(), 'tls'), TLS: { enabled: 'false' } });
    expect(
      findings.some((f) => f.action === 'block' && f.path === 'tls.enabled'),
      JSON.stringify(findings),
    ).to.equal(true);
  });

  const pairs: Array<[string, Record<string, unknown>]> = [
    ['TLS beside tls', { TLS: { enabled: false } }],
    ['flat tls.enabled beside tls: {enabled: true}', { 'tls.enabled': false }],
    ['secretKey beside secret_key', { secretKey: 'short' }],
    [
      'InsecureSkipVerify beside insecure_skip_verify',
      { insecure_skip_verify: false, InsecureSkipVerify: true },
    ],
    ['DEBUG beside debug', { DEBUG: true }],
    ['flat TLS.min_version beside tls: {...}', { 'TLS.min_version': '1.0' }],
  ];
  for (const [name, extra] of pairs) {
    it(`refuses ${name} as [config-ambiguous], before any rule runs`, () => {
      const findings = run({ ...goodConfig(), ...extra });
      expect(rulesOf(findings)).to.deep.equal(['config-ambiguous']);
      expect(findings[0]!.message).to.match(/^\[config-ambiguous\] /);
      expect(findings[0]!.action).to.equal('block');
    });
  }

  // The reverse direction: an app reading keys literally (Python dict, Go
  // struct tags, Node) does not see a folded or flat spelling, so a value that
  // asserts safety only through one would let the gate ALLOW an app that runs
  // with TLS off / audit off / no secrets_ref. Each of these ALLOWed before.
  const literal: Array<[string, (c: Record<string, unknown>) => Record<string, unknown>, string, PolicyEnv]> =
    [
      [
        'TLS: {enabled: true}',
        (c) => ({ ...without(c, 'tls'), TLS: { enabled: true, min_version: '1.2', verify: true } }),
        'TLS.enabled sets tls.enabled',
        'prod',
      ],
      [
        'tls: {Enabled: true}',
        (c) => ({ ...c, tls: { Enabled: true, min_version: '1.2' } }),
        'tls.Enabled sets tls.enabled',
        'prod',
      ],
      [
        'flat tls.enabled: true',
        (c) => ({ ...without(c, 'tls'), 'tls.enabled': true }),
        'flat key "tls.enabled" sets tls.enabled',
        'prod',
      ],
      [
        'tls.MinVersion "1.3"',
        (c) => ({ ...c, tls: { enabled: true, MinVersion: '1.3' } }),
        'tls.MinVersion sets tls.min_version',
        'prod',
      ],
      [
        'tls.min-version in staging',
        (c) => ({ ...c, tls: { enabled: true, 'min-version': 'TLSv1.2' } }),
        'tls.min-version sets tls.min_version',
        'staging',
      ],
      [
        'Audit: {enabled: true}',
        (c) => ({ ...without(c, 'audit'), Audit: { enabled: true } }),
        'Audit.enabled sets audit.enabled',
        'prod',
      ],
      [
        'flat audit.enabled: true',
        (c) => ({ ...without(c, 'audit'), 'audit.enabled': true }),
        'flat key "audit.enabled" sets audit.enabled',
        'prod',
      ],
      [
        'secretsRef: vault://x',
        (c) => ({ ...without(c, 'secrets_ref'), secretsRef: 'vault://x' }),
        'secretsRef sets secrets_ref',
        'prod',
      ],
      [
        'SECRETS_REF in staging',
        (c) => ({ ...without(c, 'secrets_ref'), SECRETS_REF: { vault: 'kv/x' } }),
        'SECRETS_REF sets secrets_ref',
        'staging',
      ],
      [
        'tls.Verify: true',
        (c) => ({ ...c, tls: { enabled: true, Verify: true } }),
        'tls.Verify sets tls.verify',
        'prod',
      ],
      ['verifySsl: true', (c) => ({ ...c, verifySsl: true }), 'verifySsl sets verify_ssl', 'prod'],
      [
        'flat ssl.verify: true',
        (c) => ({ ...c, 'ssl.verify': true }),
        'flat key "ssl.verify" sets ssl.verify',
        'prod',
      ],
      [
        'Ports[].Host 10.0.4.12',
        (c) => ({ ...without(c, 'ports'), Ports: [{ Port: 8443, Host: '10.0.4.12' }] }),
        'Ports[].Host sets ports[].host',
        'prod',
      ],
      [
        'PBKDF2_ITERATIONS 600000',
        (c) => ({ ...without(c, 'pbkdf2_iterations'), PBKDF2_ITERATIONS: 600000 }),
        'PBKDF2_ITERATIONS sets pbkdf2_iterations',
        'prod',
      ],
      [
        'secretKey: ${SECRET_KEY}',
        (c) => ({ ...without(c, 'secret_key'), secretKey: '${SECRET_KEY}' }),
        'secretKey sets secret_key',
        'prod',
      ],
      [
        'odd value TLS: {enabled: "yes"} (refused, still a block)',
        (c) => ({ ...without(c, 'tls'), TLS: { enabled: 'yes' } }),
        'TLS.enabled sets tls.enabled',
        'prod',
      ],
    ];
  for (const [name, change, says, env] of literal) {
    it(`${env}: ${name} is refused [config-ambiguous]: a literal reader does not see it`, () => {
      const findings = run(change(goodConfig()), env);
      expect([...new Set(rulesOf(findings))], JSON.stringify(findings)).to.deep.equal(['config-ambiguous']);
      expect(findings.every((f) => f.action === 'block')).to.equal(true);
      expect(findings[0]!.message).to.contain(`[config-ambiguous] ${says}`);
      expect(findings[0]!.message).to.match(
        /spell it \S+ \(nested, exactly this case\) so every loader reads it$/,
      );
    });
  }

  // Attack on the table in config-literal-readers.ts (it mirrors the rules):
  // for every refused key and many values, a relaxed spelling is either
  // refused or judged exactly like the exact spelling, and it is kept only
  // when some rule fails the value (so a kept value never ALLOWs in prod).
  describe('a relaxed spelling of a safety-asserting key is refused or fails its rule (every key, many values)', () => {
    const values: unknown[] = [
      true,
      false,
      'true',
      'false',
      'yes',
      'no',
      'on',
      'off',
      0,
      1,
      '0',
      '1',
      1.2,
      1.3,
      '1.2',
      '1.3',
      'TLSv1.2',
      'tlsv1_3',
      '1.0',
      'SSLv3',
      null,
      '',
      '  ',
      'vault://x',
      { path: 'kv/x' },
      {},
      [],
      ['a'],
      '0.0.0.0',
      '0.0.0.0:80',
      '::',
      '[::]',
      '*',
      '127.0.0.1',
      '10.0.4.12',
      250000,
      249999,
      600000,
      1000,
      '600000',
      'x'.repeat(48),
      'short',
      '${K}',
      'env:K',
    ];
    const place = (canon: string, value: unknown, relaxed: boolean): Record<string, unknown> => {
      const c = goodConfig();
      const segs = canon.split('.');
      const last = segs[segs.length - 1]!;
      const leaf = relaxed ? last.toUpperCase() : last;
      if (canon.startsWith('ports[].')) c.ports = [{ port: 8443, [leaf]: value }];
      else if (segs.length === 1) {
        delete c[last];
        c[leaf] = value;
      } else {
        const section = { ...(c[segs[0]!] as Record<string, unknown> | undefined) };
        delete section[last];
        section[leaf] = value;
        c[segs[0]!] = section;
      }
      return c;
    };
    const ruleless = new Set(['ssl.enabled', 'ssl.min_version']); // the baseline reads neither: the tls mirror decides
    for (const canon of LITERAL_READER_KEYS) {
      it(canon, () => {
        for (const value of values) {
          const exact = run(place(canon, value, false));
          const relaxed = run(place(canon, value, true));
          const label = `${canon} = ${JSON.stringify(value)}: ${JSON.stringify(relaxed)}`;
          if (rulesOf(relaxed).includes('config-ambiguous')) {
            expect([...new Set(rulesOf(relaxed))], label).to.deep.equal(['config-ambiguous']);
            continue;
          }
          expect(rulesOf(relaxed).sort(), label).to.deep.equal(rulesOf(exact).sort());
          if (!ruleless.has(canon))
            expect(
              relaxed.some((f) => f.action === 'block'),
              label,
            ).to.equal(true);
        }
      });
    }
  });

  it('the refusal never echoes the value', () => {
    const findings = run({
      ...without(goodConfig(), 'secrets_ref'),
      secretsRef: 'vault://kv/very-private-path',
    });
    expect(findings[0]!.message).to.not.contain('very-private');
  });

  it('the canonical spellings still ALLOW: tls: {enabled: true} nested', () => {
    expect(run({ ...goodConfig(), tls: { enabled: true } })).to.deep.equal([]);
  });

  it('safe values of keys whose absence is safe are not refused (DEBUG: false, SkipVerify: false, CORS)', () => {
    const c = {
      ...without(goodConfig(), 'debug', 'cors'),
      DEBUG: false,
      SkipVerify: false,
      InsecureSkipVerify: false,
      CORS: { AllowedOrigins: ['https://a.example'] },
    };
    expect(run(c)).to.deep.equal([]);
  });

  it('refuses a full-width lookalike of tls in prod', () => {
    expect(rulesOf(run({ ...goodConfig(), ｔｌｓ: { enabled: false } }))).to.deep.equal(['config-ambiguous']);
  });

  it('reads an env-var-style TLS_ENABLED file key as one unknown key, not tls.enabled', () => {
    expect(rulesOf(run({ ...without(goodConfig(), 'tls'), TLS_ENABLED: true }))).to.deep.equal([
      'prod-requires-tls',
    ]);
  });
});
