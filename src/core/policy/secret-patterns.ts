// What an inline credential looks like. Every function here answers with a
// KIND ("AWS access key id"), never with the matched text, so no caller can
// leak a value by accident.

/** Token formats recognisable on their own, most specific first. */
const VALUE_DETECTORS: ReadonlyArray<{ kind: string; re: RegExp }> = [
  { kind: 'private key (PEM block)', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: 'AWS access key id', re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/ },
  { kind: 'GitHub token', re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { kind: 'Slack token', re: /(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: 'JWT', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/ },
  { kind: 'Google API key', re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/ },
];

/**
 * A literal every detector above needs somewhere in the text. Most config
 * strings contain none of them, and one scan for all of them is several times
 * cheaper than six unanchored searches with lookbehinds.
 */
const ANY_TOKEN_PREFIX = /-----BEGIN |A(?:KIA|SIA|BIA|CCA|Iza)|gh[pousr]_|github_pat_|xox[abprs]-|eyJ/;

/** The kind of self-identifying token inside `text`, if any. */
export function detectTokenKind(text: string): string | undefined {
  if (!ANY_TOKEN_PREFIX.test(text)) return undefined;
  return VALUE_DETECTORS.find((d) => d.re.test(text))?.kind;
}

const SNAKE_CASE = /^_?[a-z0-9]+(?:_[a-z0-9]+)*_?$/;

/** `clientSecret`, `client-secret`, `CLIENT_SECRET` -> `client_secret`. */
export function normaliseKey(key: string): string {
  // Already snake_case (the common YAML spelling): nothing to rewrite.
  if (SNAKE_CASE.test(key)) return key;
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/** Key names whose literal value is a credential, with the kind reported. */
const CREDENTIAL_NAMES: ReadonlyArray<[string, string]> = [
  ['password', 'inline password'],
  ['passwd', 'inline password'],
  ['pwd', 'inline password'],
  ['client_secret', 'inline client secret'],
  ['secret_access_key', 'inline secret access key'],
  ['secret', 'inline secret'],
  ['token', 'inline token'],
  ['api_key', 'inline API key'],
  ['apikey', 'inline API key'],
  ['private_key', 'inline private key'],
  ['credentials', 'inline credentials'],
  ['credential', 'inline credentials'],
];

/** Every name above contains one of these: most keys are ruled out with one test. */
const CREDENTIAL_WORD = /pass|pwd|secret|token|key|credential/;

/**
 * `secret_key` is deliberately NOT a credential name here: the baseline gives
 * it its own rule (`secret-key-min-length`), which accepts an inline key of
 * 48+ characters. Token formats inside it (a JWT, an AWS key) are still found.
 */
const EXCLUDED_NAMES = new Set(['secret_key']);

/** Kind for a key whose literal value would be a credential (`db_password`, `apiKey`), else undefined. */
export function credentialKeyKind(key: string): string | undefined {
  return credentialNameKind(normaliseKey(key));
}

/** credentialKeyKind for a name already passed through normaliseKey. */
export function credentialNameKind(name: string): string | undefined {
  if (!CREDENTIAL_WORD.test(name) || EXCLUDED_NAMES.has(name)) return undefined;
  return CREDENTIAL_NAMES.find(([n]) => name === n || name.endsWith(`_${n}`))?.[1];
}

/** Wider than credentialKeyKind: keys whose values must never be echoed in a message. */
export function looksSecretKey(key: string): boolean {
  const name = normaliseKey(key);
  return /pass|pwd|secret|token|credential|private|auth|cookie|session|salt|(^|_)(api_?)?key($|_)|apikey/.test(name);
}

/**
 * Values that point at a secret rather than hold one: `${VAR}`, `$VAR`,
 * `{{ template }}`, `env:FOO`, `vault:path`, `ref+awssm://...`, ARNs of
 * secret stores. These are what `secrets_ref` style configs should contain.
 */
const REFERENCE_PATTERNS: readonly RegExp[] = [
  /^\$\{[^}]+\}$/,
  /^\$[A-Za-z_][A-Za-z0-9_]*$/,
  /^\{\{.*\}\}$/s,
  /^(?:env|vault|secret|secrets|secretref|ref|file|k8s|kubernetes|awssm|aws-sm|ssm|gcpsm|azkv|op|sops|keyring)(?::|\+|:\/\/)\S+$/i,
  /^arn:aws[a-z-]*:(?:secretsmanager|ssm|kms):/,
];

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
  if (REFERENCE_PATTERNS.some((re) => re.test(v))) return false;
  return !PLACEHOLDER_PATTERNS.some((re) => re.test(v));
}

/** A 40-character AWS secret access key (only meaningful next to AWS context). */
export const AWS_SECRET_VALUE = /^[A-Za-z0-9/+]{40}$/;
