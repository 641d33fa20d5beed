// The witness's decision (C2SP tlog-witness status codes), signed notes and
// the offline log verifier, attacked directly.
import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { chainBatch, GENESIS_HEAD, auditableReport } from '../../../src/core/audit-record.js';
import { recordLeafHash } from '../../../src/core/tlog/audit-leaf.js';
import {
  checkpointText,
  openCheckpoint,
  parseCheckpointText,
  splitNotes,
} from '../../../src/core/tlog/checkpoint.js';
import { cosign, cosignedAt } from '../../../src/core/tlog/cosignature.js';
import { LogVerifier } from '../../../src/core/tlog/log-verify.js';
import { MerkleTree } from '../../../src/core/tlog/merkle-tree.js';
import {
  parseNote,
  signatureLine,
  signNoteText,
  SIG_TYPE_COSIGNATURE,
  verifiedBy,
  verifierFor,
} from '../../../src/core/tlog/signed-note.js';
import { formatTlogProof, parseTlogProof } from '../../../src/core/tlog/tlog-proof.js';
import { decideAddCheckpoint, type WitnessedTree } from '../../../src/core/tlog/witness-state.js';
import { report } from '../audit/report-fixture.js';

const NAME = 'migration-gate/unit';
const log = generateKeyPairSync('ed25519');
const key = verifierFor(NAME, log.publicKey);
const sign = (origin: string, size: number, root: Buffer, k = log) => {
  const text = checkpointText({ origin, size, root });
  return `${text}\n${signNoteText(text, NAME, k.privateKey, k.publicKey)}`;
};
const tree = (n: number, tag = 'r') => {
  const t = new MerkleTree();
  for (let i = 0; i < n; i++) t.append(recordLeafHash({ i, tag }));
  return t;
};
const body = (old: number, proof: Buffer[], note: string) =>
  `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;

describe('tlog: witness add-checkpoint decision', () => {
  const origin = `${NAME}/w1`;
  const t = tree(10);
  const none = () => undefined;
  const at =
    (size: number, root: Buffer) =>
    (o: string): WitnessedTree | undefined =>
      o === origin ? { size, root } : undefined;

  it('cosigns a first checkpoint, then only a consistent extension', () => {
    expect(decideAddCheckpoint(body(0, [], sign(origin, 4, t.root(4))), [key], none).status).to.equal(200);
    const ext = decideAddCheckpoint(
      body(4, t.consistencyProof(4, 10), sign(origin, 10, t.root(10))),
      [key],
      at(4, t.root(4)),
    );
    expect(ext.status).to.equal(200);
  });

  it('answers 409 with the known size to a client that is behind, and 409 to another tree of the same size', () => {
    const d = decideAddCheckpoint(body(0, [], sign(origin, 10, t.root(10))), [key], at(4, t.root(4)));
    expect(d).to.deep.include({ status: 409, knownSize: 4 });
    const fork = decideAddCheckpoint(
      body(10, [], sign(origin, 10, tree(10, 'other').root(10))),
      [key],
      at(10, t.root(10)),
    );
    expect(fork.status).to.equal(409);
    expect(fork.status === 409 && fork.problem).to.match(/forked or was rewritten/);
  });

  it('answers 422 to a rewritten history (the proof does not link the trees) and 400 to a shrinking one', () => {
    const other = tree(10, 'other');
    const d = decideAddCheckpoint(
      body(4, other.consistencyProof(4, 10), sign(origin, 10, other.root(10))),
      [key],
      at(4, t.root(4)),
    );
    expect(d.status).to.equal(422);
    expect(
      decideAddCheckpoint(body(10, [], sign(origin, 4, t.root(4))), [key], at(10, t.root(10))).status,
    ).to.equal(400);
  });

  it('answers 404 to an origin no trusted key covers and 403 to a signature by another key', () => {
    expect(decideAddCheckpoint(body(0, [], sign('someone/else', 1, t.root(1))), [key], none).status).to.equal(
      404,
    );
    const stranger = generateKeyPairSync('ed25519');
    expect(
      decideAddCheckpoint(body(0, [], sign(origin, 1, t.root(1), stranger)), [key], none).status,
    ).to.equal(403);
  });

  it('refuses malformed bodies with 400', () => {
    for (const b of ['', 'old 01\n\nx', 'old 1\nnot-base64!\n\nx', `old 0\n${'A'.repeat(44)}`]) {
      expect(decideAddCheckpoint(b, [key], none).status, JSON.stringify(b)).to.equal(400);
    }
  });

  it('cosignatures verify only for the text they were made over', () => {
    const w = generateKeyPairSync('ed25519');
    const wv = verifierFor('w', w.publicKey, SIG_TYPE_COSIGNATURE);
    const note = sign(origin, 10, t.root(10));
    const line = signatureLine(
      cosign(
        parseNote(note).ok ? checkpointText({ origin, size: 10, root: t.root(10) }) : '',
        1700000000,
        'w',
        w.privateKey,
        w.publicKey,
      ),
    );
    const parsed = parseNote(`${note}${line}`);
    expect(parsed.ok && cosignedAt(parsed.note, wv)).to.equal(1700000000);
    const moved = parseNote(`${sign(origin, 9, t.root(9))}${line}`);
    expect(moved.ok && cosignedAt(moved.note, wv)).to.equal(undefined);
  });
});

describe('tlog: signed notes and checkpoints', () => {
  it('has one meaning: leading zeros, non-canonical base64, extra lines and foreign origins are refused', () => {
    const root = Buffer.alloc(32, 1);
    expect(parseCheckpointText(`o\n5\n${root.toString('base64')}\n`).ok).to.equal(true);
    expect(parseCheckpointText(`o\n05\n${root.toString('base64')}\n`).ok).to.equal(false);
    expect(parseCheckpointText(`o\n5\n${root.toString('base64').replace('=', '')}\n`).ok).to.equal(false);
    expect(parseCheckpointText(`o\n5\n${root.toString('base64')}\nextra\n`).ok).to.equal(false);
    expect(parseCheckpointText(`o\n5\n${Buffer.alloc(31).toString('base64')}\n`).ok).to.equal(false);
    const foreign = sign('migration-gate/other/w', 1, root);
    expect(openCheckpoint(foreign, key)).to.deep.include({ ok: false });
  });

  it('a signature covers the text byte for byte; a signature by another key or name is ignored', () => {
    const note = sign(`${NAME}/w`, 3, Buffer.alloc(32, 2));
    const p = parseNote(note);
    expect(p.ok && verifiedBy(p.note, key)).to.equal(true);
    const edited = parseNote(note.replace('\n3\n', '\n4\n'));
    expect(edited.ok && verifiedBy(edited.note, key)).to.equal(false);
    const renamed = parseNote(note.replace(`\u2014 ${NAME} `, '\u2014 other '));
    expect(renamed.ok && verifiedBy(renamed.note, key)).to.equal(false);
    expect(parseNote('no signatures\n').ok).to.equal(false);
  });

  it('splits a checkpoint history into its notes', () => {
    const a = sign(`${NAME}/w`, 1, Buffer.alloc(32, 1));
    const b = sign(`${NAME}/w`, 2, Buffer.alloc(32, 2));
    expect(splitNotes(`${a}${b}`)).to.deep.equal([a, b]);
    expect(splitNotes(`${a}\n${b}`)).to.deep.equal([a, b]);
  });

  it('round-trips a tlog-proof and refuses one without its blank line', () => {
    const p = {
      extra: Buffer.from('{"a":1}'),
      index: 3,
      proof: [Buffer.alloc(32, 9)],
      checkpoint: sign(`${NAME}/w`, 5, Buffer.alloc(32, 3)),
    };
    const text = formatTlogProof(p);
    expect(parseTlogProof(text)).to.deep.equal({ ok: true, proof: p });
    expect(parseTlogProof(text.replace('\n\n', '\n')).ok).to.equal(false);
    expect(parseTlogProof(text.replace('index 3', 'index 03')).ok).to.equal(false);
  });
});

describe('tlog: offline log verification', () => {
  const writer = 'w';
  const lines = () =>
    chainBatch(
      Array.from({ length: 12 }, (_, i) => auditableReport(report(i + 1))),
      writer,
      GENESIS_HEAD,
    ).records.map((r) => JSON.stringify(r));
  const cpAt = (ls: string[], size: number) => {
    const t = new MerkleTree();
    for (const l of ls.slice(0, size)) t.append(recordLeafHash(JSON.parse(l) as Record<string, unknown>));
    return { origin: `${NAME}/${writer}`, size, root: t.root(size) };
  };
  const verify = (ls: string[], cps: ReturnType<typeof cpAt>[]) => {
    const v = new LogVerifier(cps, (o) => (o.startsWith(`${NAME}/`) ? o.slice(NAME.length + 1) : undefined));
    ls.forEach((text, i) => v.add({ location: `log:${i + 1}`, text }));
    return v.result();
  };

  it("passes an intact log, and counts records past the checkpoint as the chain's only", () => {
    const ls = lines();
    const r = verify(ls, [cpAt(ls, 4), cpAt(ls, 12)]);
    expect(r.ok).to.equal(true);
    expect(r.checkpoints.map((c) => c.status)).to.deep.equal(['ok', 'ok']);
    expect(verify(ls, [cpAt(ls, 8)]).ok).to.equal(true);
  });

  it('localises a silent rewrite between the checkpoints that bracket it', () => {
    const ls = lines();
    const cps = [cpAt(ls, 4), cpAt(ls, 8), cpAt(ls, 12)];
    // Rewrite record 6 and recompute its chain onward: the chain check cannot see it.
    const reports = ls.map((l) => JSON.parse(l) as Record<string, unknown>);
    const head = { seq: 5, hash: reports[4]!.hash as string };
    const rest = reports.slice(5).map((r, i) => {
      const { seq: _s, writer: _w, prev_hash: _p, hash: _h, ...rep } = r;
      return auditableReport(
        (i === 0 ? { ...rep, app_id: undefined, subject: { app_id: 'forged', env: 'prod' } } : rep) as never,
      );
    });
    const forged = [
      ...ls.slice(0, 5),
      ...chainBatch(rest, writer, head).records.map((r) => JSON.stringify(r)),
    ];
    const r = verify(forged, cps);
    expect(r.chain.ok).to.equal(true);
    expect(r.ok).to.equal(false);
    expect(r.checkpoints.map((c) => c.status)).to.deep.equal(['ok', 'rewritten', 'rewritten']);
    expect(r.first_bad).to.deep.include({ writer, location: 'log:5' });
    expect(r.first_bad!.problem).to.match(/among 5\.\.8/);
  });

  it('names a plain edit exactly through the chain, and a cut-off tail after the last record', () => {
    const ls = lines();
    const edited = [...ls];
    edited[6] = edited[6]!.replace('"decision":"BLOCK"', '"decision":"ALLOW"');
    expect(edited[6]).to.not.equal(ls[6]);
    const r = verify(edited, [cpAt(ls, 12)]);
    expect(r.first_bad).to.deep.include({ location: 'log:7' });
    const cut = verify(ls.slice(0, 9), [cpAt(ls, 12)]);
    expect(cut.checkpoints[0]!.status).to.equal('truncated');
    expect(cut.first_bad).to.deep.include({ location: 'after log:9' });
  });
});
