// Issue 12: no key is trusted by default. Every public key that a default
// install would trust (whatever lies under policies/, which npm start, the
// image and compose load; the chart's values; the rendered deploy/ manifests)
// must not have its private half anywhere in the repository. The tree is
// scanned for PEM private keys, their public keys derived and compared.
import { expect } from 'chai';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SKIP = new Set(['node_modules', '.git', 'dist', 'data', 'test-output', 'coverage']);
const PRIVATE = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
const PUBLIC = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = path.join(dir, name);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) yield* files(full);
    else if (st.isFile() && st.size < 4 * 1024 * 1024) yield full;
  }
}

/** PEM blocks as found in text, with YAML block indentation removed. */
function blocks(text: string, re: RegExp): string[] {
  return [...text.replace(/^[ \t]+/gm, '').matchAll(re)].map((m) => m[0]);
}

const spki = (pem: string): string =>
  createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('hex');

function privateHalves(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files(root)) {
    const text = readFileSync(f, 'latin1');
    if (!text.includes('PRIVATE KEY-----')) continue;
    for (const pem of blocks(text, PRIVATE)) {
      try {
        out.set(
          spki(createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString()),
          path.relative(root, f),
        );
      } catch {
        // Not a parseable key (a regex in a scanner, a truncated fixture): nothing to derive.
      }
    }
  }
  return out;
}

function trustedPublics(locations: string[]): { key: string; file: string }[] {
  const out: { key: string; file: string }[] = [];
  for (const loc of locations) {
    const st = statSync(loc, { throwIfNoEntry: false });
    if (!st) continue;
    for (const f of st.isDirectory() ? [...files(loc)] : [loc]) {
      for (const pem of blocks(readFileSync(f, 'latin1'), PUBLIC)) out.push({ key: spki(pem), file: f });
    }
  }
  return out;
}

const DEFAULT_TRUST = [
  'policies',
  'charts/migration-gate/values.yaml',
  'deploy',
  'docker-compose.yml',
  'Dockerfile',
];

describe('no key trusted by default (issue 12)', () => {
  const halves = privateHalves(process.cwd());

  it('the scan finds the committed example private key (the check is not vacuous)', () => {
    expect([...halves.values()]).to.include(path.join('examples', 'keys', 'example-ed25519.key.pem'));
    const examplePublic = trustedPublics(['examples/keys/trusted']);
    expect(
      examplePublic.some((p) => halves.has(p.key)),
      'the example trust dir is caught when treated as a default',
    ).to.equal(true);
  });

  it('no public key in a default trust location has its private half in the repository', () => {
    const leaks = trustedPublics(DEFAULT_TRUST)
      .filter((p) => halves.has(p.key))
      .map((p) => `${p.file} (private half in ${halves.get(p.key)})`);
    expect(leaks).to.deep.equal([]);
  });

  it('the default key directory ($GATE_POLICY_DIR/keys = policies/keys) trusts nothing', () => {
    const dir = statSync('policies/keys', { throwIfNoEntry: false });
    const pems = dir?.isDirectory() ? readdirSync('policies/keys').filter((n) => /\.pem$/i.test(n)) : [];
    expect(pems).to.deep.equal([]);
  });
});
