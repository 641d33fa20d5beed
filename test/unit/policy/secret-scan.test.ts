import { expect } from 'chai';
import { scanForSecrets } from '../../../src/core/policy/index.js';
import { baseline, goodConfig, only, t1 } from './baseline-fixture.js';

// Fake credentials, assembled at run time so the source itself does not trip
// repository secret scanners.
const FAKE = {
  awsId: ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join(''),
  awsSecret: ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCY', 'EXAMPLEKEY'].join(''),
  pem: `-----BEGIN ${'RSA PRIVATE'} KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n`,
  ghp: `ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`,
  ghPat: `github_pat_${'11ABCDEFG0'.repeat(3)}_${'x'.repeat(30)}`,
  slack: ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-'),
  jwt: [
    Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'),
    Buffer.from('{"sub":"1234567890","name":"ops"}').toString('base64url'),
    'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  ].join('.'),
  google: `AIza${'SyD-9tSrke72PouQMnMX'}${'-a7eZSW0jkFMBWY'}`,
  password: 'correct-horse-battery-staple',
};

const kinds = (root: unknown) => scanForSecrets(root).map((h) => [h.path, h.kind]);

describe('secret-scan', () => {
  it('finds every kind and names path and kind', () => {
    const config = {
      aws: { access_key_id: FAKE.awsId, secret_access_key: FAKE.awsSecret },
      tls: { key: FAKE.pem },
      github: { token: FAKE.ghp, fine_grained: FAKE.ghPat },
      slack_webhook_token: FAKE.slack,
      session: { bearer: FAKE.jwt },
      maps: { key: FAKE.google },
      database: { password: FAKE.password, passwd: 'x', api_key: 'k-123' },
      oauth: { clientSecret: 'cs', credentials: 'user:pw' },
      list: [{ private_key: 'inline' }],
    };
    expect(kinds(config)).to.deep.equal([
      ['aws.access_key_id', 'AWS access key id'],
      ['aws.secret_access_key', 'AWS secret access key'],
      ['database.api_key', 'inline API key'],
      ['database.passwd', 'inline password'],
      ['database.password', 'inline password'],
      ['github.fine_grained', 'GitHub token'],
      ['github.token', 'GitHub token'],
      ['list[0].private_key', 'inline private key'],
      ['maps.key', 'Google API key'],
      ['oauth.clientSecret', 'inline client secret'],
      ['oauth.credentials', 'inline credentials'],
      ['session.bearer', 'JWT'],
      ['slack_webhook_token', 'Slack token'],
      ['tls.key', 'private key (PEM block)'],
    ]);
  });

  it('an AWS secret key is recognised next to an AWS key id even under a generic name', () => {
    expect(kinds({ storage: { id: FAKE.awsId, secret: FAKE.awsSecret } })).to.deep.equal([
      ['storage.id', 'AWS access key id'],
      ['storage.secret', 'AWS secret access key'],
    ]);
  });

  it('ignores explicit references, blanks and placeholders, but not "changeme" nor reference-like literals', () => {
    const config = {
      a: { password: '${DB_PASSWORD}' },
      c: { password: 'vault://secret/data/db#pw' },
      k: { password: 'k8s-secret://orders/db/pw' },
      d: { password: { secretRef: { name: 'db', key: 'pw' } } },
      e: { password: '' },
      f: { token: '<redacted>' },
      h: { secret: 'ref+awssm://prod/db' },
      i: { token: '***' },
      j: { password: 'changeme' },
      // Literals that merely start like a reference: the consumer uses them as the password.
      l: { password: 'secret:hunter2' },
      m: { password: 'env:DB_PASSWORD' },
      n: { password: 'vault:kv/db' },
      o: { token: '$TOKEN' },
      p: { password: '${DB_PASSWORD}x' },
      q: { password: 'x${DB_PASSWORD}' },
      r: { password: '${DB_PASSWORD:-hunter2}' },
    };
    expect(kinds(config)).to.deep.equal([
      ['j.password', 'inline password'],
      ['l.password', 'inline password'],
      ['m.password', 'inline password'],
      ['n.password', 'inline password'],
      ['o.token', 'inline token'],
      ['p.password', 'inline password'],
      ['q.password', 'inline password'],
      ['r.password', 'inline password'],
    ]);
  });

  it('finds passwords in URLs under any key, and not a URL without one', () => {
    expect(
      kinds({
        database_url: 'postgres://admin:S3cret@db:5432/orders',
        cache: { url: 'redis://:pass@cache:6379/0' },
        mq: ['amqp://u:p@h'],
        ok1: 'postgres://admin@db/orders',
        ok2: 'https://shop.example.com/a:b@c',
        ok3: 'redis://cache:6379',
        ok4: 'postgres://app:${DB_PASSWORD}@db/x',
      }),
    ).to.deep.equal([
      ['cache.url', 'password in a URL'],
      ['database_url', 'password in a URL'],
      ['mq[0]', 'password in a URL'],
    ]);
  });

  it('reads credential key names by their last word, with encoding suffixes', () => {
    const names = [
      'db_pass',
      'smtp_passphrase',
      'password_b64',
      'encryption_key',
      'signing_key',
      'api_key',
      'access_token',
      'client_secret',
      'jwt_signing_key',
      'master_key',
      'token_hex',
    ];
    const config = Object.fromEntries(names.map((n) => [n, 'v4lue-0f-the-credential']));
    expect(kinds(config).map(([p]) => p)).to.deep.equal([...names].sort());
    expect(
      kinds({
        bypass: 'x',
        compass: 'x',
        token_ttl: '5m',
        max_tokens: '10',
        key_id: 'k1',
        passes: 'x',
        password_policy: 'strong',
        oauth: 'google',
      }),
    ).to.deep.equal([]);
  });

  it('auth is a credential only when it holds user:pass or a Basic/Bearer value', () => {
    expect(
      kinds({
        auth: 'user:pass',
        smtp: { auth: 'Basic dXNlcjpwYXNzd29yZA==' },
        a: { auth: 'oauth2' },
        b: { auth: true },
        c: { basic_auth: 'admin:admin' },
      }),
    ).to.deep.equal([
      ['auth', 'inline credentials (user:password)'],
      ['c.basic_auth', 'inline credentials (user:password)'],
      ['smtp.auth', 'inline credentials (user:password)'],
    ]);
  });

  it('finds a base64-encoded private-key PEM block, not a base64 certificate', () => {
    const pemB64 = Buffer.from(FAKE.pem).toString('base64');
    const certB64 = Buffer.from(
      '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUFAKE\n-----END CERTIFICATE-----\n',
    ).toString('base64');
    expect(kinds({ tls: { key_data: pemB64, ca_data: certB64 } })).to.deep.equal([
      ['tls.key_data', 'private key (base64-encoded PEM block)'],
    ]);
  });

  it('reports numeric passwords; leaves secret_key to its own rule; ignores look-alike names', () => {
    expect(kinds({ db: { password: 123456 } })).to.deep.equal([['db.password', 'inline password']]);
    expect(
      kinds({
        secret_key: 'short',
        secrets_ref: 'vault:x',
        token_ttl: '5m',
        max_tokens: '10',
        password_min_length: '12',
      }),
    ).to.deep.equal([]);
    expect(kinds({ secret_key: FAKE.jwt })).to.deep.equal([['secret_key', 'JWT']]);
  });

  it('redacts a key that is itself a token', () => {
    expect(kinds({ users: { [FAKE.ghp]: 'admin' } })).to.deep.equal([
      ['users[redacted key]', 'GitHub token in a key name'],
    ]);
  });

  it('reports one finding per path', () => {
    const hits = scanForSecrets({ password: `${FAKE.awsId} ${FAKE.ghp}` });
    expect(hits).to.have.length(1);
  });

  it('as the no-inline-secrets rule: blocks in prod, warns in staging, never includes a value', () => {
    const set = baseline();
    const config = {
      ...goodConfig(),
      ...{
        aws: { access_key_id: FAKE.awsId, secret_access_key: FAKE.awsSecret },
        tls: { enabled: true, key: FAKE.pem },
        gh: FAKE.ghp,
        pat: FAKE.ghPat,
        slack: FAKE.slack,
        jwt: FAKE.jwt,
        google: FAKE.google,
        db: { password: FAKE.password },
      },
    };
    for (const env of ['prod', 'staging'] as const) {
      const findings = t1(set, config, env);
      const mine = only(findings, 'no-inline-secrets');
      expect(mine).to.have.length(9);
      expect(new Set(mine.map((f) => f.action))).to.deep.equal(new Set([env === 'prod' ? 'block' : 'warn']));
      const json = JSON.stringify(findings);
      for (const secret of Object.values(FAKE)) {
        expect(json).not.to.contain(secret);
        expect(json).not.to.contain(secret.slice(0, 12));
      }
    }
  });

  it('caps the number of findings per rule', () => {
    const config: Record<string, unknown> = { ...goodConfig() };
    for (let i = 0; i < 80; i++) config[`svc${i}`] = { password: `pw-${i}` };
    const mine = only(t1(baseline(), config), 'no-inline-secrets');
    expect(mine).to.have.length(51);
    expect(mine[50]?.message).to.contain('30 more not listed');
  });
});
