// What an inline credential looks like. Every function here answers with a
// KIND ("AWS access key id"), never with the matched text, so no caller can
// leak a value by accident.
import { memoizeKeyFact } from '../key-memo.js';

/**
 * Token formats recognisable on their own, most specific first. The formats
 * follow gitleaks' rules (config/gitleaks.toml) for the same providers; the
 * comparison test (test/reliability/secrets-gitleaks.test.ts) checks that
 * every secret gitleaks finds in a config value is found here too.
 */
const VALUE_DETECTORS: ReadonlyArray<{ kind: string; re: RegExp }> = [
  { kind: 'private key (PEM block)', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  {
    kind: 'AWS access key id',
    re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/,
  },
  {
    kind: 'GitHub token',
    re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/,
  },
  {
    kind: 'GitLab token',
    re: /(?<![A-Za-z0-9_])gl(?:pat|ptt|rt|dt|ft|cbt|imt|soat|agent|oas|ffct)-[0-9A-Za-z_.-]{20,}/,
  },
  {
    kind: 'Slack token',
    re: /(?<![A-Za-z0-9])xox[abeprs]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/,
  },
  { kind: 'Slack webhook URL', re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{40,}/ },
  { kind: 'Stripe key', re: /(?<![A-Za-z0-9])(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,99}/ },
  { kind: 'Twilio API key', re: /(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![0-9a-fA-F])/ },
  { kind: 'SendGrid API key', re: /SG\.[A-Za-z0-9=_-]{20,24}\.[A-Za-z0-9=_-]{39,50}/ },
  { kind: 'npm token', re: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/ },
  { kind: 'PyPI token', re: /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/ },
  {
    kind: 'Azure AD client secret',
    re: /(?<![A-Za-z0-9_~.])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/,
  },
  { kind: 'Heroku API key', re: /HRKU-AA[0-9A-Za-z_-]{58}/ },
  { kind: 'DigitalOcean token', re: /do[opr]_v1_[a-f0-9]{64}/ },
  { kind: 'Shopify token', re: /shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}/ },
  { kind: 'Mailgun key', re: /(?<![A-Za-z0-9])key-[a-f0-9]{32}(?![a-f0-9])/ },
  { kind: 'Square token', re: /(?<![A-Za-z0-9])(?:EAAA|sq0atp-|sq0csp-)[0-9A-Za-z_-]{22,60}/ },
  { kind: 'Databricks token', re: /(?<![A-Za-z0-9])dapi[a-h0-9]{32}(?:-\d)?(?![A-Za-z0-9])/ },
  { kind: 'OpenAI API key', re: /sk-[A-Za-z0-9_-]*T3BlbkFJ[A-Za-z0-9_-]{20,}/ },
  { kind: 'Anthropic API key', re: /sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}/ },
  { kind: 'HashiCorp Vault token', re: /(?<![A-Za-z0-9])hv[sb]\.[A-Za-z0-9_-]{90,}/ },
  { kind: 'Hugging Face token', re: /(?<![A-Za-z0-9])hf_[A-Za-z]{34}(?![A-Za-z0-9])/ },
  { kind: 'age secret key', re: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/ },
  { kind: 'Postman API key', re: /PMAK-[a-f0-9]{24}-[a-f0-9]{34}/ },
  {
    kind: 'Grafana token',
    re: /(?<![A-Za-z0-9])(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2})/,
  },
  { kind: 'Doppler token', re: /dp\.pt\.[a-zA-Z0-9]{43}/ },
  { kind: 'Linear API key', re: /lin_api_[A-Za-z0-9]{40}/ },
  { kind: 'New Relic key', re: /NRAK-[A-Z0-9]{27}/ },
  { kind: 'Pulumi token', re: /pul-[a-f0-9]{40}/ },
  { kind: 'Sentry token', re: /sntry[su]_[A-Za-z0-9+/=_-]{60,}/ },
  { kind: 'JWT', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/ },
  { kind: 'Google API key', re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/ },
];

/**
 * A literal every detector above (and the URL-password and base64-PEM checks
 * below) needs somewhere in the text. Most config strings contain none of
 * them, and one scan for all of them is several times cheaper than thirty
 * unanchored searches with lookbehinds: the scan stays on the admission hot
 * path at one regex per string.
 */
const ANY_TOKEN_PREFIX = new RegExp(
  [
    '-----BEGIN |LS0tLS1CRUdJTi|A(?:KIA|SIA|BIA|CCA|3T|Iza|GE-SECRET)|gh[pousr]_|github_pat_|gl[a-z]{1,5}-|xox|xapp-|hooks\\.slack',
    '[sr]k_|SK[0-9a-fA-F]{32}|SG\\.|npm_|pypi-|\\dQ~|HRKU-|do[opr]_v1_|shp[acps]|key-|EAAA|sq0|dapi|T3BlbkFJ|sk-ant-|hv[sb]\\.',
    'hf_|PMAK-|gl(?:sa|c)_|dp\\.pt\\.|lin_api_|NRAK-|pul-|sntry|eyJ',
  ].join('|'),
);

/** base64 of "-----BEGIN " at offset 0: a PEM file pasted as base64 (a Kubernetes Secret habit). */
const BASE64_PEM = /(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi[A-Za-z0-9+/=\s]{16,}/;
/** `scheme://user:password@host`: a non-empty password in the userinfo. */
const URL_PASSWORD = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/?#]*:([^\s@/?#]+)@/;

/** The shortest text any detector above can match (a Slack token): shorter strings skip the prefilter. */
const MIN_TOKEN_LENGTH = 15;

/** The kind of self-identifying token inside `text`, if any. */
export function detectTokenKind(text: string): string | undefined {
  // URLs are common and tokens are not: the userinfo check needs only "://" and "@".
  const urlKind = text.includes('://') && text.includes('@') ? urlPasswordKind(text) : undefined;
  if (text.length < MIN_TOKEN_LENGTH || !ANY_TOKEN_PREFIX.test(text)) return urlKind;
  const kind = VALUE_DETECTORS.find((d) => d.re.test(text))?.kind;
  if (kind) return kind;
  if (urlKind) return urlKind;
  const b64 = BASE64_PEM.exec(text);
  if (
    b64 &&
    /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY/.test(
      Buffer.from(b64[0].replace(/\s+/g, ''), 'base64').toString('latin1'),
    )
  ) {
    return 'private key (base64-encoded PEM block)';
  }
  return undefined;
}

function urlPasswordKind(text: string): string | undefined {
  const url = URL_PASSWORD.exec(text);
  return url && !isReference(url[1]!) ? 'password in a URL' : undefined;
}

const SNAKE_CASE = /^_?[a-z0-9]+(?:_[a-z0-9]+)*_?$/;

/** `clientSecret`, `client-secret`, `CLIENT_SECRET` -> `client_secret`. */
export function normaliseKey(key: string): string {
  // Already snake_case (the common YAML spelling): nothing to rewrite.
  if (SNAKE_CASE.test(key)) return key;
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
}

/**
 * Key names whose literal value is a credential: the LAST word(s) of the
 * snake_case name, optionally followed by an encoding suffix
 * (`password_b64`). One regex for every name: no per-key loop.
 * `token_ttl`, `max_tokens`, `password_min_length`, `secrets_ref` end in
 * another word and are not credentials.
 */
const CREDENTIAL_NAME = new RegExp(
  '(?:^|_)(password|passwd|pwd|pass|passphrase|client_secret|secret_access_key|secret|token|api_key|apikey|access_key|private_key' +
    '|encryption_key|signing_key|master_key|credentials|credential|auth)(?:_(?:b64|base64|hex|value|raw|plain|plaintext|enc|encoded))?$',
);

const NAME_KINDS: Readonly<Record<string, string>> = {
  password: 'inline password',
  passwd: 'inline password',
  pwd: 'inline password',
  pass: 'inline password',
  passphrase: 'inline passphrase',
  client_secret: 'inline client secret',
  secret_access_key: 'inline secret access key',
  secret: 'inline secret',
  token: 'inline token',
  api_key: 'inline API key',
  apikey: 'inline API key',
  access_key: 'inline access key',
  private_key: 'inline private key',
  encryption_key: 'inline encryption key',
  signing_key: 'inline signing key',
  master_key: 'inline master key',
  credentials: 'inline credentials',
  credential: 'inline credentials',
  auth: 'inline credentials (user:password)',
};

/** The kind for an `auth` key: reported only when the value has a credential's shape (isAuthCredential). */
export const AUTH_KIND = 'inline credentials (user:password)';

/** Every name above contains one of these: most keys are ruled out with one test. */
const CREDENTIAL_WORD = /pass|pwd|secret|token|key|credential|auth/;

/**
 * `secret_key` (and `<x>_secret_key`) is deliberately NOT a credential name
 * here: the baseline gives it its own rule (`secret-key-min-length`), which
 * accepts an inline key of 48+ characters. Token formats inside it (a JWT,
 * an AWS key) are still found.
 */
export function isSecretKeyName(name: string): boolean {
  return name === 'secret_key' || name.endsWith('_secret_key');
}

/** Kind for a key whose literal value would be a credential (`db_password`, `apiKey`), else undefined. */
export function credentialKeyKind(key: string): string | undefined {
  return credentialNameKind(normaliseKey(key));
}

/** credentialKeyKind for a name already passed through normaliseKey. */
export function credentialNameKind(name: string): string | undefined {
  if (!CREDENTIAL_WORD.test(name) || isSecretKeyName(name)) return undefined;
  const m = CREDENTIAL_NAME.exec(name);
  return m ? NAME_KINDS[m[1]!] : undefined;
}

/** Wider than credentialKeyKind: keys whose values must never be echoed in a message. */
export function looksSecretKey(key: string): boolean {
  const name = normaliseKey(key);
  return /pass|pwd|secret|token|credential|private|auth|cookie|session|salt|(^|_)(api_?)?key($|_)|apikey/.test(
    name,
  );
}

/**
 * Values that point at a secret rather than hold one, in explicit formats
 * only (README, "Secret references"): `${VAR}` as the whole value,
 * `vault://…`, `k8s-secret://…`, a vals `ref+<backend>://…`, an AWS Secrets
 * Manager / SSM ARN. A literal that merely starts like one (`secret:hunter2`,
 * `env:pw`, `$pw`) is a literal: it is what the consumer would use.
 */
const REFERENCE =
  /^(?:\$\{[A-Za-z_][A-Za-z0-9_.]*\}|(?:vault|k8s-secret|ref\+[a-z0-9]+):\/\/[^\s@]+|arn:aws[a-z-]*:(?:secretsmanager|ssm):\S+)$/;

export function isReference(value: string): boolean {
  return REFERENCE.test(value);
}

/**
 * Placeholders that are not credentials: `<redacted>`, `***`, `REDACTED`.
 * `changeme`, `password`, `admin` are NOT placeholders: such a value would
 * be used as the real credential, so it is reported like any other literal.
 */
const PLACEHOLDER_PATTERNS: readonly RegExp[] = [/^<[^<>]*>$/, /^\*+$/, /^\[?redacted\]?$/i];

/** True when a string under a credential-named key is a literal credential. */
export function isInlineLiteral(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return false;
  if (isReference(v)) return false;
  return !PLACEHOLDER_PATTERNS.some((re) => re.test(v));
}

/** `auth: user:pass` (or a `Basic`/`Bearer` header value): an `auth` key holds a mode name more often than a secret. */
export function isAuthCredential(value: string): boolean {
  return /^[^\s:]+:\S+$/.test(value.trim()) || /^(?:basic|bearer|token)\s+\S{8,}$/i.test(value.trim());
}

/** What the secret walks ask of every key, computed once per key text (key-memo.ts). */
export interface KeyFacts {
  /** normaliseKey(key). */
  readonly name: string;
  /** detectTokenKind(key): the key is itself a token (never remembered). */
  readonly tokenKind: string | undefined;
  /** credentialNameKind(name). */
  readonly credentialKind: string | undefined;
  /** The name says AWS. */
  readonly aws: boolean;
  /** isSecretKeyName(name). */
  readonly secretKey: boolean;
}

export const keyFacts: (key: string) => KeyFacts = memoizeKeyFact(
  (key: string): KeyFacts => {
    const name = normaliseKey(key);
    return {
      name,
      tokenKind: detectTokenKind(key),
      credentialKind: credentialNameKind(name),
      aws: name.includes('aws'),
      secretKey: isSecretKeyName(name),
    };
  },
  (_key, facts) => facts.tokenKind !== undefined,
);

/** A 40-character AWS secret access key (only meaningful next to AWS context). */
export const AWS_SECRET_VALUE = /^[A-Za-z0-9/+]{40}$/;
