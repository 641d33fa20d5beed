// PostgreSQL 18 incremental chains (pg_basebackup --incremental, tar and
// tar.gz): pg_combinebackup proves each link restores (the combined cluster
// starts and holds what the cluster held), pg_verifybackup 18 -n reads each
// link, and the gate accepts the chain through the CLI, REST (JSON) and a
// MigrationRequest, and refuses by name every tampered chain: a wrong prior,
// priors out of order, a missing link, no chain at all, an unpinned or
// unsent prior, another cluster's priors, an INCREMENTAL file with a bad
// header or a block cut short. Where pg_verifybackup -n accepts what the
// gate refuses, the test says why. Slow (real clusters): `npm run
// test:native`, not `npm test`.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INCREMENTAL_MAGIC } from '../../src/core/replication/incremental-file.js';
import type { GateContext } from '../../src/services/gate-context.js';
import { judgeFiles } from '../unit/replication/helpers.js';
import { runCli } from '../support/cli-process.js';
import { postJson, startGate } from '../support/gate-harness.js';
import { admitMigrationRequest, mrContext } from '../support/mr-admit.js';
import {
  copyLink,
  incrementalMembers,
  makeIncrementalChain,
  plainCopy,
  removeIncrementalChain,
  rewriteMember,
  type IncrementalChain,
} from '../support/pg/incremental-chain.js';
import { freePort, pg, psql } from '../support/pg/pg-exec.js';
import { pgVerifyBackup18, requirePg18 } from '../support/pg/pg18.js';

const pinOf = (dir: string): string =>
  `sha256:${createHash('sha256')
    .update(readFileSync(join(dir, 'backup_manifest')))
    .digest('hex')}`;

interface Verdict {
  decision: 'ALLOW' | 'BLOCK';
  rules: string[];
  reasons: string[];
  steps: { step: string; detail?: string }[];
}

describe('PostgreSQL 18 incremental chains: the gate beside pg_combinebackup and pg_verifybackup 18', function () {
  this.timeout(300_000);
  let c: IncrementalChain | undefined;
  let gz: IncrementalChain | undefined;
  let n = 0;

  before(async () => {
    requirePg18();
    c = await makeIncrementalChain();
    gz = await makeIncrementalChain(['-Ft', '-X', 'stream', '-Z', 'gzip:1']);
  });
  after(() => {
    removeIncrementalChain(c);
    removeIncrementalChain(gz);
  });

  function manifestFile(backup: string, pins: readonly string[] | undefined): string {
    const file = join(c!.root, `m-${n++}.yaml`);
    const prior =
      pins && pins.length > 0
        ? `expected_prior_backup_manifest_hashes:\n${pins.map((p) => `  - ${p}\n`).join('')}`
        : '';
    writeFileSync(
      file,
      `source_db: pg18-a\ntarget_db: pg18-b\nexpected_backup_manifest_hash: ${pinOf(backup)}\n${prior}sync_mode: async\nenv: staging\n`,
    );
    return file;
  }

  /** The gate on a chain through the CLI's local path; the priors are pinned as sent unless `pins` says otherwise. */
  async function gate(backup: string, priors: string[], pins = priors.map(pinOf)): Promise<Verdict> {
    return judgeFiles({ manifest: manifestFile(backup, pins), backup, priors });
  }

  async function refused(backup: string, priors: string[], rule: string, pins?: string[]): Promise<Verdict> {
    const g = await gate(backup, priors, pins);
    expect(g.decision).to.equal('BLOCK');
    expect(g.rules, g.reasons.join('\n')).to.include(rule);
    return g;
  }

  /** Combines links[0..k] (plain copies: pg_combinebackup reads plain format only), checks the result, starts it, counts the rows. */
  async function combineAndQuery(chain: IncrementalChain, k: number): Promise<string> {
    const plain = chain.links.slice(0, k + 1).map((l, i) => plainCopy(chain, l, `${k}-${i}`));
    const out = join(chain.root, `combined-${k}`);
    rmSync(out, { recursive: true, force: true });
    const bin = { binDir: chain.binDir };
    if (k > 0) pg('pg_combinebackup', [...plain, '-o', out], bin);
    const data = k > 0 ? out : plain[0]!;
    const verified = pgVerifyBackup18(data);
    expect(verified.ok, verified.output).to.equal(true);
    const port = await freePort();
    const sock = join(chain.root, 'sock');
    const opts = `-c port=${port} -c listen_addresses='' -c unix_socket_directories=${sock} -c summarize_wal=off`;
    pg('pg_ctl', ['-D', data, '-o', opts, '-l', join(chain.root, `combined-${k}.log`), '-w', 'start'], bin);
    try {
      return psql({ sock, port, binDir: chain.binDir }, 'SELECT count(*), sum(id) FROM orders').trim();
    } finally {
      pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'], bin);
    }
  }

  it('pg_combinebackup rebuilds each link: pg_verifybackup 18 accepts the combined backup, and started, it holds what the cluster held', async () => {
    for (const k of [0, 1, 2]) expect(await combineAndQuery(c!, k), `link ${k}`).to.equal(c!.expected[k]);
  });

  for (const which of ['tar', 'tar.gz'] as const) {
    it(`${which}: pg_verifybackup -n accepts every link, and the gate accepts the chain (full + 2 incrementals)`, async () => {
      const chain = which === 'tar' ? c! : gz!;
      for (const l of chain.links) {
        const ref = pgVerifyBackup18(l);
        expect(ref.ok, ref.output).to.equal(true);
      }
      const g = await gate(chain.links[2]!, chain.links.slice(0, 2));
      expect(g.reasons).to.deep.equal([]);
      expect(g.decision).to.equal('ALLOW');
      const detail = g.steps.find((s) => s.step === 'backup-manifest')?.detail ?? '';
      expect(detail).to.match(/incremental chain of 3 links verified \([1-9][0-9]* INCREMENTAL files\)/);
      // The first incremental is a chain of two.
      expect((await gate(chain.links[1]!, [chain.links[0]!])).reasons).to.deep.equal([]);
    });
  }

  it('the incremental alone: pg_verifybackup -n accepts it (it checks one directory, not what it depends on); the gate refuses more (backup-chain-missing: it cannot be restored alone)', async () => {
    expect(pgVerifyBackup18(c!.links[2]!).ok).to.equal(true);
    const g = await refused(c!.links[2]!, [], 'backup-chain-missing');
    expect(g.rules).to.deep.equal(['backup-chain-missing']);
  });

  it('a missing link (the full backup, then incremental 2): backup-chain-broken, naming both links', async () => {
    const g = await refused(c!.links[2]!, [c!.links[0]!], 'backup-chain-broken');
    expect(g.reasons.join()).to.contain('prior backup 1 of 1 (the full backup) started at');
  });

  it('the wrong prior (a sibling incremental taken from the same full backup): backup-chain-broken', async () => {
    const g = await refused(c!.links[2]!, [c!.links[0]!, c!.sibling], 'backup-chain-broken');
    expect(g.rules).to.deep.equal(['backup-chain-broken']);
    expect(g.reasons.join()).to.contain('prior backup 2 of 2');
  });

  it('priors out of order (pinned in that order too): backup-chain-order', async () => {
    const g = await refused(c!.links[2]!, [c!.links[1]!, c!.links[0]!], 'backup-chain-order');
    expect(g.reasons.join()).to.contain('must start with its full backup');
  });

  it('priors sent in another order than pinned: the pin names the link (backup-manifest-digest-mismatch)', async () => {
    const pins = [c!.links[0]!, c!.links[1]!].map(pinOf);
    const g = await refused(
      c!.links[2]!,
      [c!.links[1]!, c!.links[0]!],
      'backup-manifest-digest-mismatch',
      pins,
    );
    expect(g.reasons.join()).to.contain('expected_prior_backup_manifest_hashes[0]');
  });

  it('a prior sent but not pinned: backup-chain-prior-unpinned; a pinned prior not sent: backup-chain-link-missing', async () => {
    const priors = c!.links.slice(0, 2);
    await refused(c!.links[2]!, priors, 'backup-chain-prior-unpinned', []);
    await refused(c!.links[2]!, priors, 'backup-chain-prior-unpinned', [pinOf(priors[0]!)]);
    await refused(c!.links[2]!, [priors[0]!], 'backup-chain-link-missing', priors.map(pinOf));
  });

  it("another cluster's chain as the priors: backup-chain-system-id-mismatch", async () => {
    const g = await refused(c!.links[2]!, gz!.links.slice(0, 2), 'backup-chain-system-id-mismatch');
    expect(g.reasons.join()).to.contain('every link of a chain comes from one cluster');
  });

  /** An incremental member of incremental 2 with at least two blocks (the rows changed everywhere). */
  function bigMember(): string {
    const m = incrementalMembers(c!.links[2]!).find((x) => x.size >= 3 * 8192);
    expect(m, 'an INCREMENTAL file with 2+ blocks').to.not.equal(undefined);
    return m!.path;
  }

  const tampers: [string, (d: Buffer) => Buffer, string][] = [
    [
      'a bad magic number',
      (d) => {
        d.writeUInt32LE((INCREMENTAL_MAGIC ^ 1) >>> 0, 0);
        return d;
      },
      'bad magic number',
    ],
    ['a block cut short', (d) => d.subarray(0, d.length - 4096), 'a block is cut short'],
    [
      'its block numbers out of order',
      (d) => {
        const a = d.readUInt32LE(12);
        d.writeUInt32LE(d.readUInt32LE(16), 12);
        d.writeUInt32LE(a, 16);
        return d;
      },
      'not strictly ascending',
    ],
    [
      'a block count the file does not hold',
      (d) => {
        d.writeUInt32LE(d.readUInt32LE(4) + 1, 4);
        return d;
      },
      // The extra block number is read from the header's zero padding.
      'not strictly ascending (0 after',
    ],
  ];
  for (const [what, edit, says] of tampers) {
    it(`an INCREMENTAL file with ${what}, its manifest entry rewritten to match: pg_verifybackup -n accepts (it does not read INCREMENTAL headers); the gate refuses more (backup-incremental-header-invalid)`, async () => {
      const dir = copyLink(c!, c!.links[2]!, what.replace(/\W+/g, '-'));
      const member = bigMember();
      rewriteMember(dir, member, edit);
      expect(pgVerifyBackup18(dir).ok).to.equal(true);
      const g = await refused(dir, c!.links.slice(0, 2), 'backup-incremental-header-invalid');
      expect(g.rules).to.deep.equal(['backup-incremental-header-invalid']);
      expect(g.reasons.join()).to.contain(member).and.contain(says);
    });
  }

  it('pg_combinebackup refuses the bad magic too (the gate agrees with the tool that would restore it)', async () => {
    const dir = copyLink(c!, c!.links[2]!, 'magic-combine');
    rewriteMember(dir, bigMember(), (d) => {
      d.writeUInt32LE(0, 0);
      return d;
    });
    const plain = [...c!.links.slice(0, 2), dir].map((l, i) => plainCopy(c!, l, `magic-${i}`));
    expect(() =>
      pg('pg_combinebackup', [...plain, '-o', join(c!.root, 'combined-magic')], { binDir: c!.binDir }),
    ).to.throw(/incremental magic number/);
  });

  it('REST JSON: backup_url with prior_backup_urls -> ALLOW; priors out of order -> BLOCK [backup-chain-order]; a prior_* multipart part -> 400', async () => {
    const g = await startGate({ GATE_ARTIFACT_ROOT: c!.root });
    try {
      const [full, incr1, incr2] = c!.links as [string, string, string];
      const manifest = readFileSync(manifestFile(incr2, [pinOf(full), pinOf(incr1)]), 'utf8');
      const body = (priors: string[]) => ({
        manifest,
        backup_url: `file://${incr2}/`,
        prior_backup_urls: priors.map((p) => `file://${p}/`),
      });
      const ok = await postJson(g, '/api/v1/validate/replication', body([full, incr1]));
      expect(ok.body.reasons, JSON.stringify(ok.body)).to.deep.equal([]);
      expect(ok.status).to.equal(200);
      const swapped = readFileSync(manifestFile(incr2, [pinOf(incr1), pinOf(full)]), 'utf8');
      const bad = await postJson(g, '/api/v1/validate/replication', {
        ...body([incr1, full]),
        manifest: swapped,
      });
      expect(bad.status).to.equal(422);
      expect((bad.body.reasons as string[]).join()).to.contain('[backup-chain-order]');
      const form = new FormData();
      form.append('replication_manifest', new Blob([manifest]), 'm.yaml');
      form.append(
        'prior_backup_manifest',
        new Blob([readFileSync(join(full, 'backup_manifest'))]),
        'backup_manifest',
      );
      const multipart = await fetch(`${g.url}/api/v1/validate/replication`, {
        method: 'POST',
        headers: g.auth,
        body: form,
      });
      expect(multipart.status).to.equal(400);
      expect(JSON.stringify(await multipart.json())).to.contain('prior_backup_urls');
    } finally {
      await g.stop();
    }
  });

  it('CLI: validate replication --backup incr2 --prior full --prior incr1 exits 0; without --prior it exits 1 naming backup-chain-missing', async () => {
    const [full, incr1, incr2] = c!.links as [string, string, string];
    const m = manifestFile(incr2, [pinOf(full), pinOf(incr1)]);
    const ok = await runCli([
      'validate',
      'replication',
      '--manifest',
      m,
      '--backup',
      incr2,
      '--prior',
      full,
      '--prior',
      incr1,
    ]);
    expect(ok.code, ok.stdout + ok.stderr).to.equal(0);
    const alone = await runCli([
      'validate',
      'replication',
      '--manifest',
      manifestFile(incr2, []),
      '--backup',
      incr2,
    ]);
    expect(alone.code).to.equal(1);
    expect(alone.stdout).to.contain('backup-chain-missing');
  });

  it('MigrationRequest: spec.backup.priors with spec.expectedPriorBackupManifestHashes is admitted; the priors swapped, denied', async () => {
    const ctx: GateContext = await mrContext();
    const [full, incr1, incr2] = c!.links as [string, string, string];
    const spec = (priors: string[]) => ({
      sourceDb: 'a',
      targetDb: 'b',
      syncMode: 'async',
      env: 'staging',
      expectedBackupManifestHash: pinOf(incr2),
      expectedPriorBackupManifestHashes: priors.map(pinOf),
      backup: { url: `file://${incr2}/`, priors: priors.map((p) => ({ url: `file://${p}/` })) },
    });
    const ok = await admitMigrationRequest(ctx, c!.root, spec([full, incr1]), 60_000);
    expect(ok.body.response.status?.message ?? '', JSON.stringify(ok.body.response)).to.not.contain('BLOCK');
    expect(ok.body.response.allowed).to.equal(true);
    const bad = await admitMigrationRequest(ctx, c!.root, spec([incr1, full]), 60_000);
    expect(bad.body.response.allowed).to.equal(false);
    expect(bad.body.response.status!.message).to.contain('[backup-chain-order]');
  });
});
