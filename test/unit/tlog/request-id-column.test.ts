// Lookups by request id over a packed column of 32-bit hashes: candidates,
// confirmed against the stored record. Attacked with two ids whose hashes
// collide, a rewritten record and a removed one: a collision never proves
// the other record, a changed store is named as changed.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileAuditSink } from '../../../src/adapters/audit/file-sink.js';
import { RequestIdColumn, requestIdHash } from '../../../src/core/tlog/request-id-column.js';
import { parseTlogProof } from '../../../src/core/tlog/tlog-proof.js';
import { withAuditTrees, type AuditTrees } from '../../../src/services/audit/audit-trees.js';
import { treesOver } from '../../support/audit-trees.js';
import { report } from '../audit/report-fixture.js';

// Found by search: FNV-1a gives both 3744408796.
const A = '01JCOLLIDE00001B7Z';
const B = '01JCOLLIDE0000U3QA';

function proofOf(text: string): { index: number; extra?: Buffer } {
  const p = parseTlogProof(text);
  if (!p.ok) throw new Error(p.problem);
  return p.proof;
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('request id column', () => {
  it('names every leaf whose id may match, in order, across growth; a leaf without an id is never named', () => {
    const c = new RequestIdColumn();
    for (let i = 0; i < 5000; i++) c.push(i % 7 === 0 ? undefined : `id-${i % 1000}`);
    expect(c.length).to.equal(5000);
    const want = [1, 1001, 2001, 3001, 4001].filter((i) => i % 7 !== 0);
    expect(c.candidates('id-1').filter((i) => want.includes(i))).to.deep.equal(want);
    expect(c.candidates('id-1').length - want.length).to.be.below(2); // a collision at most, and rarely
    expect(c.candidates('never-stored')).to.deep.equal([]);
  });

  it('the collision pair used below does collide', () => {
    expect(requestIdHash(A)).to.equal(requestIdHash(B));
    expect(A).to.not.equal(B);
  });
});

describe('audit trees: proofs by request id over the column', () => {
  let dir = '';
  let path = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mg-idcol-'));
    path = join(dir, 'audit.jsonl');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** `lost`: stored lines the store silently no longer returns (a store that does not notice, unlike the file sink). */
  async function gate(lost: (text: string) => boolean = () => false): Promise<{
    trees: AuditTrees;
    /** How often the whole store was read (readRaw) and how many index segments were read. */
    reads: { whole: number; segments: number };
    append: (id: string) => Promise<unknown>;
    appendUnseen: (id: string) => Promise<unknown>;
    close(): Promise<void>;
  }> {
    const raw = await openFileAuditSink({ path, writer: 'w', lingerMs: 0, identityCheckMs: 0 });
    const reads = { whole: 0, segments: 0 };
    const reader = {
      ...raw,
      async *readRaw() {
        reads.whole += 1;
        for await (const e of raw.readRaw()) if (!lost(e.text)) yield e;
      },
      // The index reads the same store: what it lost is lost there too.
      index: {
        segments: () => raw.index!.segments(),
        async *read(id: number) {
          reads.segments += 1;
          for await (const e of raw.index!.read(id)) if (!lost(e.text)) yield e;
        },
      },
    };
    const trees = treesOver(reader, 'w');
    await trees.load();
    const sink = withAuditTrees(raw, trees);
    let n = 0;
    return {
      trees,
      reads,
      append: (id) => sink.append(report(++n, { request_id: id })),
      // Past the trees: what a peer's newer record is to this replica until it reads the store again.
      appendUnseen: (id) => raw.append(report(++n, { request_id: id })),
      close: () => raw.close(),
    };
  }

  it('proves the record that has the id, not the one whose id only hashes alike', async () => {
    const g = await gate();
    await g.append('other-1');
    await g.append(A);
    await g.append('other-2');
    const proof = proofOf(await g.trees.prove(A));
    expect(proof.index).to.equal(1);
    expect(JSON.parse(Buffer.from(proof.extra!).toString('utf8')).request_id).to.equal(A);
    const e = await rejection(g.trees.prove(B));
    expect(e.code).to.equal('not-found');
    expect(e.message).to.contain(B);
    await g.append(B);
    expect(proofOf(await g.trees.prove(B)).index).to.equal(3);
    await g.close();
  });

  it('proves from the index: neither a proof nor an id nobody stored reads the whole store', async () => {
    const g = await gate();
    for (let i = 0; i < 300; i++) await g.append(`id-${i}`);
    const before = g.reads.whole;
    expect(proofOf(await g.trees.prove('id-299')).index).to.equal(299);
    expect(proofOf(await g.trees.prove('id-3')).index).to.equal(3);
    for (let i = 0; i < 50; i++)
      expect((await rejection(g.trees.prove(`absent-${i}`))).code).to.equal('not-found');
    expect(g.reads.whole, 'whole-store reads').to.equal(before);
    // Two proofs read the one segment each holds; the absent ids' filters said no (or rarely maybe).
    expect(g.reads.segments).to.be.within(2, 5);
    await g.close();
  });

  it('a record the trees have not seen yet is found by reading the store again, even when a known id hashes alike', async () => {
    const g = await gate();
    await g.append(A);
    await g.appendUnseen(B); // the column holds only A's hash, which is B's too
    const proof = proofOf(await g.trees.prove(B));
    expect(proof.index).to.equal(1);
    expect(JSON.parse(Buffer.from(proof.extra!).toString('utf8')).request_id).to.equal(B);
    await g.close();
  });

  it('a colliding record rewritten in the store is named as a changed store, not skipped', async () => {
    const g = await gate();
    await g.append(A);
    await g.append('other');
    const text = await readFile(path, 'utf8');
    // The record of A now claims a different decision (its hash no longer matches its leaf).
    await writeFile(path, text.replace('"decision":"BLOCK"', '"decision":"ALLOW"'));
    const e = await rejection(g.trees.prove(B));
    expect(e.code).to.equal('audit-unavailable');
    expect(e.message).to.match(/w#0 no longer matches the tree/);
    await g.close();
  });

  it('a record the tree holds but the store lost is named as removed', async () => {
    let hidden = false;
    const g = await gate((text) => hidden && text.includes(A));
    await g.append('first');
    await g.append(A);
    hidden = true;
    const e = await rejection(g.trees.prove(A));
    expect(e.code).to.equal('audit-unavailable');
    expect(e.message).to.match(
      /no longer holds 1 record\(s\) this gate's trees hold for the request id: records were removed/,
    );
    await g.close();
  });
});
