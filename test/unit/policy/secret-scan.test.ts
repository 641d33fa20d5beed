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

  it('ignores references, blanks and placeholders, but not "changeme"', () => {
    const config = {
      a: { password: '${DB_PASSWORD}' }, b: { password: 'env:DB_PASSWORD' }, c: { password: 'vault:secret/data/db#pw' },
      d: { password: { secretRef: { name: 'db', key: 'pw' } } }, e: { password: '' }, f: { token: '<redacted>' },
      g: { token: '$TOKEN' }, h: { secret: 'ref+awssm://prod/db' }, i: { token: '***' },
      j: { password: 'changeme' },
    };
    expect(kinds(config)).to.deep.equal([['j.password', 'inline password']]);
  });

  it('reports numeric passwords; leaves secret_key to its own rule; ignores look-alike names', () => {
    expect(kinds({ db: { password: 123456 } })).to.deep.equal([['db.password', 'inline password']]);
    expect(kinds({ secret_key: 'short', secrets_ref: 'vault:x', token_ttl: '5m', max_tokens: '10', password_min_length: '12' })).to.deep.equal([]);
    expect(kinds({ secret_key: FAKE.jwt })).to.deep.equal([['secret_key', 'JWT']]);
  });

  it('redacts a key that is itself a token', () => {
    expect(kinds({ users: { [FAKE.ghp]: 'admin' } })).to.deep.equal([['users[redacted key]', 'GitHub token in a key name']]);
  });

  it('reports one finding per path', () => {
    const hits = scanForSecrets({ password: `${FAKE.awsId} ${FAKE.ghp}` });
    expect(hits).to.have.length(1);
  });

  it('as the no-inline-secrets rule: blocks in prod, warns in staging, never includes a value', () => {
    const set = baseline();
    const config = { ...goodConfig(), ...{ aws: { access_key_id: FAKE.awsId, secret_access_key: FAKE.awsSecret }, tls: { enabled: true, key: FAKE.pem },
      gh: FAKE.ghp, pat: FAKE.ghPat, slack: FAKE.slack, jwt: FAKE.jwt, google: FAKE.google, db: { password: FAKE.password } } };
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
