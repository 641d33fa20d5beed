import { expect } from 'chai';
import type { PolicyEnv } from '../../../src/core/contracts/policy-file.js';
import { baseline, goodConfig, only, rulesOf, t1 } from './baseline-fixture.js';

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
    { name: 'tls.enabled false', env: 'prod', change: (c) => { c.tls = { enabled: false }; }, expect: 'block' },
    { name: 'no tls section', env: 'prod', change: (c) => { delete c.tls; }, expect: 'block' },
    { name: 'tls.enabled "true" (a string)', env: 'prod', change: (c) => { c.tls = { enabled: 'true' }; }, expect: 'block' },
    { name: 'no tls in staging is not this rule', env: 'staging', change: (c) => { delete c.tls; }, expect: 'pass' },
  ]);

  check('tls-min-version', [
    ...['1.2', '1.3', 'TLSv1.2', 'TLSv1.3', 1.2, 1.3].map((v): Case => (
      { name: `min_version ${JSON.stringify(v)}`, env: 'prod', change: (c) => { c.tls = { enabled: true, min_version: v }; }, expect: 'pass' })),
    { name: 'absent min_version', env: 'prod', change: (c) => { c.tls = { enabled: true }; }, expect: 'pass' },
    { name: 'min_version "1.0"', env: 'prod', change: (c) => { c.tls = { enabled: true, min_version: '1.0' }; }, expect: 'block' },
    { name: 'min_version 1.1 (number)', env: 'prod', change: (c) => { c.tls = { enabled: true, min_version: 1.1 }; }, expect: 'block' },
    { name: 'min_version "TLSv1.1"', env: 'staging', change: (c) => { c.tls = { enabled: true, min_version: 'TLSv1.1' }; }, expect: 'warn' },
  ]);

  check('tls-verify-enabled', [
    { name: 'verification flags absent', env: 'prod', change: () => {}, expect: 'pass' },
    { name: 'tls.verify true', env: 'prod', change: (c) => { c.tls = { enabled: true, verify: true }; }, expect: 'pass' },
    { name: 'verify_ssl false', env: 'prod', change: (c) => { c.verify_ssl = false; }, expect: 'block' },
    { name: 'tls.verify false', env: 'prod', change: (c) => { c.tls = { enabled: true, verify: false }; }, expect: 'block' },
    { name: 'skip_verify true', env: 'prod', change: (c) => { c.skip_verify = true; }, expect: 'block' },
    { name: 'tls.insecure_skip_verify true', env: 'prod', change: (c) => { c.tls = { enabled: true, insecure_skip_verify: true }; }, expect: 'block' },
    { name: 'insecure_skip_verify "yes"', env: 'prod', change: (c) => { c.insecure_skip_verify = 'yes'; }, expect: 'block' },
    { name: 'tls.skip_verify false', env: 'prod', change: (c) => { c.tls = { enabled: true, skip_verify: false }; }, expect: 'pass' },
    { name: 'verify_ssl false', env: 'staging', change: (c) => { c.verify_ssl = false; }, expect: 'warn' },
  ]);

  check('no-public-bind', [
    { name: 'loopback host', env: 'prod', change: () => {}, expect: 'pass' },
    { name: 'no ports list', env: 'prod', change: (c) => { delete c.ports; }, expect: 'pass' },
    { name: 'bare port numbers', env: 'prod', change: (c) => { c.ports = [8080, 8443]; }, expect: 'pass' },
    { name: 'ports[].host 0.0.0.0', env: 'prod', change: (c) => { c.ports = [{ port: 80, host: '0.0.0.0' }]; }, expect: 'block' },
    { name: 'ports[].bind ::', env: 'prod', change: (c) => { c.ports = [{ port: 80, bind: '::' }]; }, expect: 'block' },
    { name: 'ports[].bind [::]:8080', env: 'prod', change: (c) => { c.ports = [{ bind: '[::]:8080' }]; }, expect: 'block' },
    { name: 'ports[].public true', env: 'prod', change: (c) => { c.ports = [{ port: 80, host: '10.0.0.5', public: true }]; }, expect: 'block' },
    { name: 'top-level host 0.0.0.0', env: 'prod', change: (c) => { c.host = '0.0.0.0'; }, expect: 'block' },
    { name: 'public bind in staging is allowed', env: 'staging', change: (c) => { c.ports = [{ host: '0.0.0.0' }]; }, expect: 'pass' },
    { name: 'ports[].host "0" (inet_aton: 0.0.0.0)', env: 'prod', change: (c) => { c.ports = [{ port: 80, host: '0' }]; }, expect: 'block' },
    { name: 'ports[].host 0 as a number', env: 'prod', change: (c) => { c.ports = [{ port: 80, host: 0 }]; }, expect: 'block' },
    { name: 'ports[].bind "[::ffff:0.0.0.0]:80"', env: 'prod', change: (c) => { c.ports = [{ bind: '[::ffff:0.0.0.0]:80' }]; }, expect: 'block' },
    { name: 'top-level listen "0x0:8080"', env: 'prod', change: (c) => { c.listen = '0x0:8080'; }, expect: 'block' },
    { name: 'top-level listen 8080 (a port: every interface)', env: 'prod', change: (c) => { c.listen = 8080; }, expect: 'block' },
    { name: 'server.host "0:0::0"', env: 'prod', change: (c) => { c.server = { host: '0:0::0' }; }, expect: 'block' },
    { name: 'address ""', env: 'prod', change: (c) => { c.address = ''; }, expect: 'block' },
    { name: 'bind "tcp://0.0.0.0:2375"', env: 'prod', change: (c) => { c.bind = 'tcp://0.0.0.0:2375'; }, expect: 'block' },
    { name: 'ports[].host "010.0.0.1" (readers disagree)', env: 'prod', change: (c) => { c.ports = [{ port: 80, host: '010.0.0.1' }]; }, expect: 'block' },
    { name: 'ports[].host "0x" (garbage)', env: 'prod', change: (c) => { c.ports = [{ port: 80, host: '0x' }]; }, expect: 'block' },
    { name: 'ports[].host true (not a host)', env: 'prod', change: (c) => { c.ports = [{ port: 80, host: true }]; }, expect: 'block' },
    { name: 'ports[].host_ip "0" (Compose long syntax)', env: 'prod', change: (c) => { c.ports = [{ target: 80, published: 8080, host_ip: '0' }]; }, expect: 'block' },
    { name: 'ports[].host a DNS name', env: 'prod', change: (c) => { c.ports = [{ port: 80, host: 'orders.internal.example' }]; }, expect: 'pass' },
    { name: 'ports[].host 10.0.0.5 and ::1', env: 'prod', change: (c) => { c.ports = [{ host: '10.0.0.5' }, { bind: '[::1]:8443' }]; }, expect: 'pass' },
    { name: 'server.listen a unix socket', env: 'prod', change: (c) => { c.listen = 'unix:///run/app.sock'; c.server = { listen: '/run/app.sock' }; }, expect: 'pass' },
  ]);

  check('secrets-ref-required', [
    { name: 'string reference', env: 'prod', change: () => {}, expect: 'pass' },
    { name: 'map reference', env: 'prod', change: (c) => { c.secrets_ref = { name: 'orders', key: 'db' }; }, expect: 'pass' },
    { name: 'absent', env: 'prod', change: (c) => { delete c.secrets_ref; }, expect: 'block' },
    { name: 'blank string', env: 'prod', change: (c) => { c.secrets_ref = '  '; }, expect: 'block' },
    { name: 'absent', env: 'staging', change: (c) => { delete c.secrets_ref; }, expect: 'warn' },
  ]);

  check('no-inline-secrets', [
    { name: 'reference only', env: 'prod', change: (c) => { c.database = { password: '${DB_PASSWORD}' }; }, expect: 'pass' },
    { name: 'inline password', env: 'prod', change: (c) => { c.database = { password: 'hunter2' }; }, expect: 'block' },
    { name: 'inline password', env: 'staging', change: (c) => { c.database = { password: 'hunter2' }; }, expect: 'warn' },
    { name: 'password in a URL', env: 'prod', change: (c) => { c.database = { url: 'postgres://admin:S3cret@db/orders' }; }, expect: 'block' },
    { name: 'db_pass', env: 'prod', change: (c) => { c.database = { db_pass: 'hunter2' }; }, expect: 'block' },
    { name: '"secret:hunter2" is a literal', env: 'prod', change: (c) => { c.database = { password: 'secret:hunter2' }; }, expect: 'block' },
    { name: 'k8s-secret:// reference', env: 'prod', change: (c) => { c.database = { password: 'k8s-secret://orders/db/password' }; }, expect: 'pass' },
  ]);

  check('secret-key-min-length', [
    { name: 'reference', env: 'prod', change: () => {}, expect: 'pass' },
    { name: 'absent', env: 'prod', change: (c) => { delete c.secret_key; }, expect: 'pass' },
    { name: '48 chars inline', env: 'prod', change: (c) => { c.secret_key = 'k'.repeat(48); }, expect: 'pass' },
    { name: '47 chars inline', env: 'prod', change: (c) => { c.secret_key = 'k'.repeat(47); }, expect: 'block' },
    { name: 'a number', env: 'prod', change: (c) => { c.secret_key = 12345; }, expect: 'block' },
    { name: 'short inline', env: 'staging', change: (c) => { c.secret_key = 'dev'; }, expect: 'warn' },
    { name: 'SECRET_KEY short', env: 'prod', change: (c) => { c.SECRET_KEY = 'dev'; }, expect: 'block' },
    { name: 'secretKey short', env: 'prod', change: (c) => { c.secretKey = 'dev'; }, expect: 'block' },
    { name: 'nested django.secret_key short', env: 'prod', change: (c) => { c.django = { secret_key: 'django-insecure-abc' }; }, expect: 'block' },
    { name: 'flask_secret_key short', env: 'prod', change: (c) => { c.flask_secret_key = 'abc'; }, expect: 'block' },
    { name: 'nested django.secret_key 48 chars', env: 'prod', change: (c) => { c.django = { secret_key: 'k'.repeat(48) }; }, expect: 'pass' },
    { name: 'vault:// reference', env: 'prod', change: (c) => { c.secret_key = 'vault://kv/orders/secret_key'; }, expect: 'pass' },
    { name: 'secretRef map', env: 'prod', change: (c) => { c.secret_key = { secretKeyRef: { name: 'app', key: 'sk' } }; }, expect: 'pass' },
    { name: '"env:APP_KEY" is a short literal, not a reference', env: 'prod', change: (c) => { c.secret_key = 'env:APP_KEY'; }, expect: 'block' },
  ]);

  check('pbkdf2-min-iterations', [
    { name: '600000', env: 'prod', change: () => {}, expect: 'pass' },
    { name: 'exactly 250000', env: 'prod', change: (c) => { c.pbkdf2_iterations = 250000; }, expect: 'pass' },
    { name: 'absent', env: 'prod', change: (c) => { delete c.pbkdf2_iterations; }, expect: 'pass' },
    { name: '249999', env: 'prod', change: (c) => { c.pbkdf2_iterations = 249999; }, expect: 'block' },
    { name: 'a string', env: 'prod', change: (c) => { c.pbkdf2_iterations = '600000'; }, expect: 'block' },
    { name: '10000', env: 'staging', change: (c) => { c.pbkdf2_iterations = 10000; }, expect: 'warn' },
  ]);

  check('prod-debug-disabled', [
    { name: 'debug false', env: 'prod', change: () => {}, expect: 'pass' },
    { name: 'debug absent', env: 'prod', change: (c) => { delete c.debug; }, expect: 'pass' },
    { name: 'debug true', env: 'prod', change: (c) => { c.debug = true; }, expect: 'block' },
    { name: 'debug "yes"', env: 'prod', change: (c) => { c.debug = 'yes'; }, expect: 'block' },
    { name: 'debug true in staging', env: 'staging', change: (c) => { c.debug = true; }, expect: 'pass' },
  ]);

  check('prod-cors-not-wildcard', [
    { name: 'explicit origins', env: 'prod', change: () => {}, expect: 'pass' },
    { name: 'no cors section', env: 'prod', change: (c) => { delete c.cors; }, expect: 'pass' },
    { name: '"*"', env: 'prod', change: (c) => { c.cors = { allowed_origins: '*' }; }, expect: 'block' },
    { name: 'list holding "*"', env: 'prod', change: (c) => { c.cors = { allowed_origins: ['https://a.example', '*'] }; }, expect: 'block' },
    { name: 'comma string holding *', env: 'prod', change: (c) => { c.cors = { allowed_origins: 'https://a.example, *' }; }, expect: 'block' },
    { name: '"*" in staging', env: 'staging', change: (c) => { c.cors = { allowed_origins: '*' }; }, expect: 'pass' },
  ]);

  check('prod-audit-enabled', [
    { name: 'audit.enabled true', env: 'prod', change: () => {}, expect: 'pass' },
    { name: 'audit.enabled false', env: 'prod', change: (c) => { c.audit = { enabled: false }; }, expect: 'block' },
    { name: 'no audit section', env: 'prod', change: (c) => { delete c.audit; }, expect: 'block' },
    { name: 'no audit in staging', env: 'staging', change: (c) => { delete c.audit; }, expect: 'pass' },
  ]);

  describe('messages', () => {
    it('appends the found scalar and names the path', () => {
      const c = goodConfig();
      c.tls = { enabled: false };
      const [f] = only(t1(set, c), 'prod-requires-tls');
      expect(f).to.deep.equal({ rule: 'prod-requires-tls', severity: 'critical', action: 'block', path: 'tls.enabled', message: 'tls.enabled must be true in prod (found false)' });
    });
    it('says "not set" for an absent field', () => {
      const c = goodConfig();
      delete c.audit;
      expect(only(t1(set, c), 'prod-audit-enabled')[0]?.message).to.equal('audit.enabled must be true in prod (not set)');
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
