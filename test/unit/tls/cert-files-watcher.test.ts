// The mounted-Secret watcher with real files laid out the way the kubelet
// does it: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/, updated by
// writing a new timestamped dir and renaming a new ..data symlink over the
// old one (an atomic swap; the files themselves are never written).
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { watchCertFiles } from '../../../src/adapters/tls/cert-files-watcher.js';
import { forgeIssuer } from '../../../src/adapters/tls/self-managed-issuer.js';
import type { PemKeyPair } from '../../../src/adapters/tls/issue-certs.js';
import type { ServingTls } from '../../../src/core/ports/self-managed-tls.js';

async function pair(): Promise<PemKeyPair> {
  const ca = await forgeIssuer.issueCa(new Date(), 86_400_000);
  return forgeIssuer.issueServing(ca, ['localhost'], new Date(), 3_600_000);
}

let generation = 0;
/** What the kubelet's AtomicWriter does for a Secret volume update. */
async function kubeletWrite(dir: string, files: Record<string, string>): Promise<void> {
  const ts = path.join(dir, `..2026_01_01_00_00_00.${++generation}`);
  await mkdir(ts);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(ts, name), text);
  await symlink(path.basename(ts), path.join(dir, '..data_tmp'));
  await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  for (const name of Object.keys(files))
    await symlink(path.join('..data', name), path.join(dir, name)).catch(() => {});
}

describe('cert files watcher (certManager / existingSecret)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gate-tls-mount-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const until = async (f: () => boolean, ms = 5_000) => {
    const end = Date.now() + ms;
    while (!f()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('loads the mounted pair and hot-reloads after a kubelet ..data swap (fs.watch)', async () => {
    const first = await pair();
    await kubeletWrite(dir, { 'tls.crt': first.cert, 'tls.key': first.key });
    const seen: ServingTls[] = [];
    const w = await watchCertFiles({
      dir,
      onChange: (t) => seen.push(t),
      pollIntervalMs: 60_000,
      debounceMs: 50,
    });
    try {
      expect(w.current().cert).to.equal(first.cert);
      const second = await pair();
      await kubeletWrite(dir, { 'tls.crt': second.cert, 'tls.key': second.key });
      await until(() => seen.length === 1);
      expect(seen[0]!.cert).to.equal(second.cert);
      expect(w.current().key).to.equal(second.key);
      expect(seen[0]!.notAfter.getTime()).to.be.greaterThan(Date.now());
    } finally {
      w.close();
    }
  });

  it('the periodic re-read catches a change even without file events, and a mismatched pair is ignored', async () => {
    const first = await pair();
    await kubeletWrite(dir, { 'tls.crt': first.cert, 'tls.key': first.key });
    const seen: ServingTls[] = [];
    const w = await watchCertFiles({
      dir,
      onChange: (t) => seen.push(t),
      pollIntervalMs: 60_000,
      debounceMs: 60_000,
    });
    try {
      const second = await pair();
      // Half an update: new cert, old key. Not usable: keep serving the first pair.
      await kubeletWrite(dir, { 'tls.crt': second.cert, 'tls.key': first.key });
      expect(await w.reload()).to.equal(false);
      expect(w.current().cert).to.equal(first.cert);
      await kubeletWrite(dir, { 'tls.crt': second.cert, 'tls.key': second.key });
      expect(await w.reload()).to.equal(true);
      expect(seen.map((t) => t.cert)).to.deep.equal([second.cert]);
      expect(await w.reload(), 'no change, no callback').to.equal(false);
    } finally {
      w.close();
    }
  });

  it('refuses to start without a usable pair, naming GATE_TLS_DIR', async () => {
    let err: unknown;
    try {
      await watchCertFiles({ dir, onChange() {} });
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.contain('GATE_TLS_DIR');
  });
});
