// Issue 11: a key file of an algorithm the gate does not accept is refused at
// load, naming the file and the algorithm; so is a private key.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPinnedKeys, readKeyDir } from '../../../src/adapters/pinned-keys.js';
import type { Logger } from '../../../src/core/ports/runtime.js';

function pub(k: ReturnType<typeof generateKeyPairSync>): string {
  return k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

describe('pinned key directory: accepted algorithms only', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gate-keys-'));
  writeFileSync(path.join(dir, 'ok-ed.pub.pem'), pub(generateKeyPairSync('ed25519')));
  writeFileSync(path.join(dir, 'ok-p256.pub.pem'), pub(generateKeyPairSync('ec', { namedCurve: 'P-256' })));
  writeFileSync(path.join(dir, 'old-rsa.pub.pem'), pub(generateKeyPairSync('rsa', { modulusLength: 1024 })));
  writeFileSync(path.join(dir, 'p384.pub.pem'), pub(generateKeyPairSync('ec', { namedCurve: 'P-384' })));
  // secp256k1 from the openssl CLI, as an operator would make it.
  const k1 = execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:secp256k1',
  ]);
  writeFileSync(path.join(dir, 'k1.pub.pem'), execFileSync('openssl', ['pkey', '-pubout'], { input: k1 }));
  writeFileSync(
    path.join(dir, 'oops.pem'),
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  writeFileSync(path.join(dir, 'junk.pem'), 'not a key\n');

  it('keeps Ed25519 and P-256, refuses the rest naming file and algorithm', async () => {
    const read = await readKeyDir(dir);
    expect(read.keys.map((k) => k.id)).to.deep.equal(['ok-ed', 'ok-p256']);
    const by = Object.fromEntries(read.refused.map((r) => [r.file, r.reason]));
    expect(by['old-rsa.pub.pem']).to.contain('RSA-1024');
    expect(by['p384.pub.pem']).to.contain('ECDSA P-384');
    expect(by['k1.pub.pem']).to.contain('ECDSA secp256k1');
    expect(by['oops.pem']).to.contain('PRIVATE key');
    expect(by['junk.pem']).to.contain('not a PEM public key');
  });

  it('logs each refusal with the file name', async () => {
    const warned: unknown[] = [];
    const logger = {
      info: () => undefined,
      warn: (_m: string, f: unknown) => warned.push(f),
      error: () => undefined,
      debug: () => undefined,
    } as unknown as Logger;
    const store = await loadPinnedKeys(dir, logger);
    expect(store.keys()).to.have.length(2);
    expect(JSON.stringify(warned)).to.contain('old-rsa.pub.pem').and.to.contain('RSA-1024');
  });
});
