// The checkpoint travels with the archive: a ConfigMap writer (apiserver
// fake) signs a checkpoint at every segment seal and posts it on the board;
// the archiver puts each sealed segment's checkpoint beside it in the
// archive directory; `migration-gate audit verify --archive DIR --key PUB`
// then verifies the archived records offline with the public key alone,
// and names a rewritten record, a dropped newest segment, a forged
// checkpoint, and an archive with no checkpoint at all.
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { directoryArchive } from '../../src/adapters/audit/archive-dir.js';
import { archiveSealedSegments } from '../../src/adapters/audit/configmap-archiver.js';
import { runCli } from '../support/cli-process.js';
import { sealingWriter } from '../support/sealing-writer.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const cli = (args: string[]) => runCli(args);

describe('archived segments carry their signed checkpoints (offline verify of an archive directory)', function () {
  this.timeout(120_000);
  let dir: string;
  let archiveDir: string;
  let keyFile: string;
  let archived: string[];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mg-archive-cp-'));
    archiveDir = path.join(dir, 'archive');
    const { store, board, raw, trees } = await sealingWriter();
    keyFile = path.join(dir, 'audit.pub');
    await writeFile(keyFile, `${trees.verifierKey}\n`);
    const result = await archiveSealedSegments({
      store,
      targets: [directoryArchive(archiveDir)],
      clock: () => new Date('2026-02-01T00:00:00Z'),
      logger: silent,
      board,
    });
    expect(result.problems).to.deep.equal([]);
    archived = result.archived;
    await raw.close();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts each sealed segment’s checkpoint (of exactly its last record) beside it', async () => {
    expect(archived.length).to.be.greaterThan(2);
    const files = (await readdir(path.join(archiveDir, 'pod-a'))).sort();
    for (const name of archived) expect(files).to.include.members([`${name}.jsonl`, `${name}.checkpoint`]);
    const meta = JSON.parse(
      await readFile(path.join(archiveDir, 'pod-a', `${archived[0]}.meta.json`), 'utf8'),
    ) as {
      last: { seq: number };
    };
    const note = await readFile(path.join(archiveDir, 'pod-a', `${archived[0]}.checkpoint`), 'utf8');
    expect(note.split('\n').slice(0, 2)).to.deep.equal(['migration-gate/c/pod-a', String(meta.last.seq)]);
  });

  it('audit verify --archive DIR --key PUB verifies the archive offline against them', async () => {
    const r = await cli(['audit', 'verify', '--archive', archiveDir, '--key', keyFile]);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      archived_checkpoints: number;
      checkpoints: { status: string }[];
    };
    expect(out.ok).to.equal(true);
    expect(out.archived_checkpoints).to.equal(archived.length);
    expect(out.checkpoints.every((c) => c.status === 'ok')).to.equal(true);
  });

  it('names a record rewritten in the archive', async () => {
    const file = path.join(archiveDir, 'pod-a', `${archived[1]}.jsonl`);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('"decision":"BLOCK"', '"decision":"ALLOW"'));
    try {
      const r = await cli(['audit', 'verify', '--archive', archiveDir, '--key', keyFile]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(new RegExp(`first bad record: archive ${archived[1]} line`));
    } finally {
      await writeFile(file, text);
    }
  });

  it('detects the newest archived segment dropped (its checkpoint left behind: truncation)', async () => {
    const last = archived.at(-1)!;
    const file = path.join(archiveDir, 'pod-a', `${last}.jsonl`);
    const text = await readFile(file, 'utf8');
    await unlink(file);
    try {
      const r = await cli(['audit', 'verify', '--archive', archiveDir, '--key', keyFile]);
      expect(r.code).to.equal(1);
      expect(JSON.parse(r.stdout).checkpoints.map((c: { status: string }) => c.status)).to.include(
        'truncated',
      );
    } finally {
      await writeFile(file, text);
    }
  });

  it('refuses a checkpoint not signed by the key, and an archive that carries none', async () => {
    const cp = path.join(archiveDir, 'pod-a', `${archived[0]}.checkpoint`);
    const note = await readFile(cp, 'utf8');
    await writeFile(
      cp,
      note.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`),
    );
    try {
      const r = await cli(['audit', 'verify', '--archive', archiveDir, '--key', keyFile]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/archived checkpoint .*\.checkpoint: no valid signature/);
    } finally {
      await writeFile(cp, note);
    }
    const bare = path.join(dir, 'bare');
    const { cp: copy } = await import('node:fs/promises');
    await copy(archiveDir, bare, { recursive: true, filter: (src) => !src.endsWith('.checkpoint') });
    const r = await cli(['audit', 'verify', '--archive', bare, '--key', keyFile]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/carries no signed checkpoint/);
  });
});
