// Deterministic corpus for the gitleaks comparison (test/reliability/
// secrets-gitleaks.test.ts): configs with real-looking secrets of many kinds,
// shaped to match gitleaks' own rules (config/gitleaks.toml), and clean
// configs full of look-alikes. Every value is FAKE: random characters from a
// seeded generator, never a working credential.
//
//   npx tsx test/support/secrets-corpus.ts --write   # regenerate test/fixtures/secrets-corpus/
//
// Each leaf sits on its own line, so a gitleaks finding (file, line) maps to
// exactly one config path.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/secrets-corpus/', import.meta.url));

export interface CorpusFile {
  /** `secret/017-stripe.yaml` or `clean/042-hashes.yaml`. */
  name: string;
  text: string;
  /** Config path of every leaf, by 1-based line. */
  pathByLine: Map<number, string>;
  /** Paths holding a planted secret (empty for clean files). */
  planted: string[];
  kind: string;
}

type Tree = { [k: string]: Tree | string | number | boolean | string[] };

/** mulberry32: small, seeded, the same on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

class Gen {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = rng(seed);
  }
  s(alphabet: string, n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.r() * alphabet.length)];
    return out;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url');

function pem(g: Gen, label: string): string {
  const body = Buffer.from(g.s(ALNUM, 300))
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** A secret kind: where it usually sits (key path) and a value gitleaks' rule for it matches. */
interface Kind {
  kind: string;
  keys: readonly string[][];
  value: (g: Gen) => string;
}

const KINDS: readonly Kind[] = [
  {
    kind: 'aws-access-key-id',
    keys: [
      ['aws', 'access_key_id'],
      ['storage', 's3_key_id'],
    ],
    value: (g) => `AKIA${g.s(UPPER_B32, 16)}`,
  },
  {
    kind: 'github-pat',
    keys: [
      ['github', 'token'],
      ['ci', 'gh_token'],
    ],
    value: (g) => `ghp_${g.s(ALNUM, 36)}`,
  },
  {
    kind: 'github-fine-grained-pat',
    keys: [['github', 'pat']],
    value: (g) => `github_pat_${g.s(ALNUM, 22)}_${g.s(ALNUM, 59)}`,
  },
  {
    kind: 'gitlab-pat',
    keys: [
      ['gitlab', 'token'],
      ['registry', 'gitlab_pat'],
    ],
    value: (g) => `glpat-${g.s(ALNUM, 20)}`,
  },
  {
    kind: 'slack-bot-token',
    keys: [['slack', 'bot_token']],
    value: (g) => `xoxb-${g.s('0123456789', 11)}-${g.s('0123456789', 12)}-${g.s(ALNUM, 24)}`,
  },
  {
    kind: 'slack-webhook-url',
    keys: [
      ['alerts', 'slack_webhook'],
      ['notify', 'url'],
    ],
    value: (g) =>
      `https://hooks.slack.com/services/T${g.s(UPPER_B32, 8)}/B${g.s(UPPER_B32, 10)}/${g.s(ALNUM, 24)}`,
  },
  {
    kind: 'stripe-secret-key',
    keys: [
      ['payments', 'stripe_key'],
      ['billing', 'api_key'],
    ],
    value: (g) => `sk_live_${g.s(ALNUM, 32)}`,
  },
  {
    kind: 'gcp-api-key',
    keys: [
      ['maps', 'api_key'],
      ['google', 'browser_key'],
    ],
    value: (g) => `AIza${g.s(`${ALNUM}_-`, 35)}`,
  },
  {
    kind: 'twilio-api-key',
    keys: [
      ['twilio', 'api_key_sid'],
      ['sms', 'twilio_key'],
    ],
    value: (g) => `SK${g.s(HEX, 32)}`,
  },
  {
    kind: 'sendgrid-api-token',
    keys: [['mail', 'sendgrid_api_key']],
    value: (g) => `SG.${g.s(ALNUM, 22)}.${g.s(ALNUM, 43)}`,
  },
  {
    kind: 'npm-access-token',
    keys: [
      ['npm', 'auth_token'],
      ['publish', 'npm_token'],
    ],
    value: (g) => `npm_${g.s(ALNUM, 36)}`,
  },
  {
    kind: 'pypi-upload-token',
    keys: [['pypi', 'token']],
    value: (g) => `pypi-AgEIcHlwaS5vcmc${g.s(`${ALNUM}_-`, 70)}`,
  },
  {
    kind: 'private-key',
    keys: [
      ['tls', 'key'],
      ['sso', 'signing_pem'],
    ],
    value: (g) => pem(g, g.pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY'])),
  },
  {
    kind: 'jwt',
    keys: [
      ['session', 'bearer'],
      ['upstream', 'authorization'],
    ],
    value: (g) =>
      `${b64url(`{"alg":"HS256","typ":"JWT","kid":"${g.s(ALNUM, 8)}"}`)}.${b64url(`{"sub":"${g.s(ALNUM, 12)}","name":"svc-${g.s(LOWER, 6)}","iat":1700000000}`)}.${g.s(`${ALNUM}_-`, 43)}`,
  },
  {
    kind: 'azure-ad-client-secret',
    keys: [
      ['azure', 'client_secret'],
      ['entra', 'app_credential'],
    ],
    value: (g) => `${g.s(ALNUM, 3)}${g.int(10)}Q~${g.s(`${ALNUM}_~.-`, 34)}`,
  },
  {
    kind: 'heroku-api-key-v2',
    keys: [['heroku', 'api_key']],
    value: (g) => `HRKU-AA${g.s(`${ALNUM}_-`, 58)}`,
  },
  {
    kind: 'digitalocean-pat',
    keys: [
      ['digitalocean', 'token'],
      ['do', 'access'],
    ],
    value: (g) => `dop_v1_${g.s(HEX, 64)}`,
  },
  { kind: 'shopify-access-token', keys: [['shopify', 'admin_token']], value: (g) => `shpat_${g.s(HEX, 32)}` },
  {
    kind: 'mailgun-private-api-token',
    keys: [['mailgun', 'mailgun_api_key']],
    value: (g) => `key-${g.s(HEX, 32)}`,
  },
  {
    kind: 'square-access-token',
    keys: [
      ['square', 'access_token'],
      ['pos', 'square'],
    ],
    value: (g) => `sq0atp-${g.s(`${ALNUM}_-`, 22)}`,
  },
  {
    kind: 'databricks-api-token',
    keys: [
      ['databricks', 'token'],
      ['lakehouse', 'pat'],
    ],
    value: (g) => `dapi${g.s(HEX, 32)}`,
  },
  {
    kind: 'openai-api-key',
    keys: [
      ['openai', 'api_key'],
      ['llm', 'key'],
    ],
    value: (g) => `sk-proj-${g.s(`${ALNUM}_-`, 58)}T3BlbkFJ${g.s(`${ALNUM}_-`, 58)}`,
  },
  {
    kind: 'anthropic-api-key',
    keys: [
      ['anthropic', 'api_key'],
      ['llm', 'claude'],
    ],
    value: (g) => `sk-ant-api03-${g.s(`${ALNUM}_-`, 93)}AA`,
  },
  {
    kind: 'vault-service-token',
    keys: [
      ['vault', 'token'],
      ['secrets', 'vault_token'],
    ],
    value: (g) => `hvs.${g.s(`${ALNUM}_-`, 95)}`,
  },
  {
    kind: 'huggingface-access-token',
    keys: [
      ['hf', 'token'],
      ['models', 'hub'],
    ],
    value: (g) => `hf_${g.s('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 34)}`,
  },
  { kind: 'age-secret-key', keys: [['sops', 'age_key']], value: (g) => `AGE-SECRET-KEY-1${g.s(BECH32, 58)}` },
  {
    kind: 'postman-api-token',
    keys: [['postman', 'api_key']],
    value: (g) => `PMAK-${g.s(HEX, 24)}-${g.s(HEX, 34)}`,
  },
  {
    kind: 'grafana-service-account-token',
    keys: [['grafana', 'sa_token']],
    value: (g) => `glsa_${g.s(ALNUM, 32)}_${g.s(HEX, 8)}`,
  },
  { kind: 'doppler-api-token', keys: [['doppler', 'token']], value: (g) => `dp.pt.${g.s(ALNUM, 43)}` },
  { kind: 'linear-api-key', keys: [['linear', 'api_key']], value: (g) => `lin_api_${g.s(ALNUM, 40)}` },
  { kind: 'pulumi-api-token', keys: [['pulumi', 'access_token']], value: (g) => `pul-${g.s(HEX, 40)}` },
  {
    kind: 'new-relic-user-api-key',
    keys: [['newrelic', 'api_key']],
    value: (g) => `NRAK-${g.s(UPPER_B32, 27)}`,
  },
  // Classes gitleaks may or may not see; the gate must.
  {
    kind: 'url-password',
    keys: [
      ['database', 'url'],
      ['cache', 'redis_url'],
      ['mq', 'broker'],
    ],
    value: (g) =>
      `${g.pick(['postgres', 'redis', 'amqp', 'mysql', 'mongodb'])}://${g.pick(['admin', '', 'svc'])}:${g.s(ALNUM, 14)}@${g.pick(['db', 'cache.internal', 'mq-0'])}:${g.pick(['5432', '6379', '5672'])}/app`,
  },
  {
    kind: 'generic-password',
    keys: [
      ['database', 'password'],
      ['smtp', 'passphrase'],
      ['db', 'db_pass'],
      ['crypto', 'encryption_key'],
      ['jwt', 'signing_key'],
      ['oauth', 'client_secret'],
    ],
    value: (g) => g.s(`${ALNUM}!#%+`, 20),
  },
  {
    kind: 'base64-pem',
    keys: [
      ['tls', 'key_b64'],
      ['sso', 'private_key_data'],
    ],
    value: (g) => Buffer.from(pem(g, 'PRIVATE KEY')).toString('base64'),
  },
];

const SECRET_VARIANTS = 4;

/** Benign surroundings shared by both halves. */
function filler(g: Gen): Tree {
  return {
    service: g.pick(['orders-api', 'billing', 'search', 'ledger', 'inventory']),
    tls: { enabled: true, min_version: '1.2' },
    ports: { http: 8000 + g.int(900) },
    log_level: g.pick(['info', 'warn', 'debug']),
  };
}

function setPath(tree: Tree, path: readonly string[], value: string): void {
  let t = tree;
  for (const p of path.slice(0, -1)) {
    if (typeof t[p] !== 'object' || Array.isArray(t[p])) t[p] = {};
    t = t[p] as Tree;
  }
  t[path[path.length - 1]!] = value;
}

/** YAML with one leaf per line; scalars as JSON strings (valid YAML double-quoted scalars). */
function emit(tree: Tree): { text: string; pathByLine: Map<number, string> } {
  const lines: string[] = [];
  const pathByLine = new Map<number, string>();
  const walk = (t: Tree, indent: string, at: string): void => {
    for (const [k, v] of Object.entries(t)) {
      const path = at ? `${at}.${k}` : k;
      if (Array.isArray(v)) {
        lines.push(`${indent}${k}:`);
        v.forEach((x, i) => {
          lines.push(`${indent}  - ${JSON.stringify(x)}`);
          pathByLine.set(lines.length, `${path}[${i}]`);
        });
      } else if (typeof v === 'object') {
        lines.push(`${indent}${k}:`);
        walk(v, `${indent}  `, path);
      } else {
        lines.push(`${indent}${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
        pathByLine.set(lines.length, path);
      }
    }
  };
  walk(tree, '', '');
  return { text: `${lines.join('\n')}\n`, pathByLine };
}

/** Look-alikes: references, placeholders, hashes, UUIDs, public material, URLs without passwords. */
const CLEAN: ReadonlyArray<{ kind: string; make: (g: Gen) => Tree }> = [
  {
    kind: 'references',
    make: (g) => ({
      database: { password: `\${${g.pick(['DB_PASSWORD', 'PG_PASS', 'ORDERS_DB_PW'])}}` },
      api_key: `vault://kv/${g.pick(['orders', 'billing'])}/api_key`,
      smtp: { passphrase: `k8s-secret://mail/smtp/${g.pick(['pass', 'pw'])}` },
    }),
  },
  {
    kind: 'secret-refs',
    make: (g) => ({
      client_secret: `ref+awssm://prod/${g.s(LOWER, 6)}`,
      token: `arn:aws:secretsmanager:eu-west-1:${g.s('0123456789', 12)}:secret:app-${g.s(LOWER, 6)}`,
      signing_key: `\${SIGNING_KEY}`,
    }),
  },
  {
    kind: 'placeholders',
    make: (g) => ({
      password: g.pick(['<redacted>', '***', 'REDACTED', '']),
      api_key: g.pick(['<set-me>', '********']),
      auth: g.pick(['oauth2', 'basic', 'none', 'mtls']),
    }),
  },
  {
    kind: 'hashes',
    make: (g) => ({
      artifact: { sha256: g.s(HEX, 64), sha1: g.s(HEX, 40), md5: g.s(HEX, 32) },
      image: `registry.example.com/app@sha256:${g.s(HEX, 64)}`,
      git_commit: g.s(HEX, 40),
    }),
  },
  {
    kind: 'uuids',
    make: (g) => ({
      request_id: uuid(g),
      tenant_id: uuid(g),
      tracing: { trace_id: g.s(HEX, 32), span_id: g.s(HEX, 16) },
      instance: uuid(g),
    }),
  },
  {
    kind: 'urls',
    make: (g) => ({
      database: {
        url: `postgres://${g.pick(['app', 'orders'])}@db.internal:5432/orders`,
        host: 'db.internal',
      },
      cache_url: 'redis://cache:6379/0',
      docs: 'https://docs.example.com/a:b',
      upstream: `https://api.example.com/v1?page=${g.int(9)}`,
    }),
  },
  {
    kind: 'public-material',
    make: (g) => ({ tls: { enabled: true, cert: pem(g, 'CERTIFICATE'), public_key: pem(g, 'PUBLIC KEY') } }),
  },
  {
    kind: 'limits',
    make: (g) => ({
      token_ttl: `${g.int(60)}m`,
      max_tokens: 1000 + g.int(9000),
      password_min_length: 12 + g.int(8),
      key_id: `k-2024-${g.int(12)}`,
      keys_rotation_days: 30,
      passes: 3,
    }),
  },
  {
    kind: 'prose',
    make: (g) => ({
      description: g.pick([
        'The API key lives in Vault; never paste it here.',
        'Rotate the token monthly.',
        'Password policy: 12+ characters.',
      ]),
      owner: `team-${g.s(LOWER, 5)}@example.com`,
      runbook: 'https://wiki.example.com/runbooks/secrets',
    }),
  },
  {
    kind: 'base64-non-secret',
    make: (g) => ({
      banner_b64: Buffer.from(`Welcome to ${g.s(LOWER, 8)} service`).toString('base64'),
      ca_bundle_b64: Buffer.from(pem(g, 'CERTIFICATE')).toString('base64'),
      feature_flags: ['checkout-v2', 'new-search'],
    }),
  },
];

const CLEAN_VARIANTS = 11;

function uuid(g: Gen): string {
  const h = g.s(HEX, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function buildCorpus(): CorpusFile[] {
  const files: CorpusFile[] = [];
  const g = new Gen(20261201);
  let n = 0;
  for (const k of KINDS) {
    for (let v = 0; v < Math.max(SECRET_VARIANTS, k.keys.length); v++) {
      const tree = filler(g);
      const path = k.keys[v % k.keys.length]!;
      setPath(tree, path, k.value(g));
      const { text, pathByLine } = emit(tree);
      files.push({
        name: `secret/${String(++n).padStart(3, '0')}-${k.kind}.yaml`,
        text,
        pathByLine,
        planted: [path.join('.')],
        kind: k.kind,
      });
    }
  }
  n = 0;
  for (let v = 0; v < CLEAN_VARIANTS; v++) {
    for (const c of CLEAN) {
      const tree = { ...filler(g), ...c.make(g) };
      const { text, pathByLine } = emit(tree);
      files.push({
        name: `clean/${String(++n).padStart(3, '0')}-${c.kind}.yaml`,
        text,
        pathByLine,
        planted: [],
        kind: c.kind,
      });
    }
  }
  return files;
}

export function secretKinds(): string[] {
  return KINDS.map((k) => k.kind);
}

function write(): void {
  rmSync(CORPUS_DIR, { recursive: true, force: true });
  const files = buildCorpus();
  for (const f of files) {
    mkdirSync(join(CORPUS_DIR, f.name, '..'), { recursive: true });
    writeFileSync(join(CORPUS_DIR, f.name), f.text);
  }
  console.log(
    `wrote ${files.length} configs under ${CORPUS_DIR} (${readdirSync(join(CORPUS_DIR, 'secret')).length} with secrets)`,
  );
}

if (process.argv.includes('--write') && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  write();
