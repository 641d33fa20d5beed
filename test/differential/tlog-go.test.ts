// Cross-check of the Merkle and signed-note core against Go's
// golang.org/x/mod/sumdb/tlog and sumdb/note (built from the Go module proxy
// by test/differential/tlog/build.sh, cached under ~/.cache/migration-gate-tools).
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { checkpointText } from '../../src/core/tlog/checkpoint.js';
import { MerkleTree } from '../../src/core/tlog/merkle-tree.js';
import { leafHash } from '../../src/core/tlog/rfc6962.js';
import {
  encodeVerifierKey,
  formatNote,
  parseNote,
  signNoteText,
  verifierFor,
} from '../../src/core/tlog/signed-note.js';

function probe(): string {
  return execFileSync('bash', [path.join(import.meta.dirname, 'tlog', 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

describe('tlog: cross-check against Go golang.org/x/mod/sumdb', function () {
  this.timeout(300_000);
  let bin: string;
  before(() => {
    bin = probe();
  });
  const ask = (req: unknown) =>
    JSON.parse(execFileSync(bin, { input: JSON.stringify(req), encoding: 'utf8' })) as {
      roots: string[];
      inclusion: string[][] | null;
      consistency: string[][] | null;
      note_ok: boolean;
      note_text: string;
      note_error: string;
    };

  it('computes the same roots, inclusion proofs and consistency proofs for 300 records', () => {
    const data = Array.from({ length: 300 }, (_, i) =>
      Buffer.from(JSON.stringify({ seq: i + 1, request_id: `r-${i}`, pad: 'x'.repeat(i % 17) })),
    );
    const t = new MerkleTree();
    for (const d of data) t.append(leafHash(d));
    const sizes = [1, 2, 3, 7, 8, 9, 100, 255, 256, 257, 300];
    const inclusion: Array<[number, number]> = [
      [0, 1],
      [0, 300],
      [299, 300],
      [128, 257],
      [77, 100],
      [5, 9],
    ];
    const consistency: Array<[number, number]> = [
      [1, 300],
      [7, 8],
      [100, 300],
      [256, 257],
      [255, 300],
      [299, 300],
      [3, 7],
    ];
    const go = ask({ leaves: data.map((d) => d.toString('base64')), sizes, inclusion, consistency });
    expect(go.roots).to.deep.equal(sizes.map((n) => t.root(n).toString('base64')));
    expect((go.inclusion ?? []).map((p) => p ?? [])).to.deep.equal(
      inclusion.map(([i, n]) => t.inclusionProof(i, n).map((h) => h.toString('base64'))),
    );
    expect((go.consistency ?? []).map((p) => p ?? [])).to.deep.equal(
      consistency.map(([m, n]) => t.consistencyProof(m, n).map((h) => h.toString('base64'))),
    );
  });

  it('accepts our signed checkpoint and verifier key, and refuses it once one byte changed', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const name = 'migration-gate/test-cluster';
    const text = checkpointText({ origin: `${name}/gate-0`, size: 42, root: leafHash(Buffer.from('x')) });
    const note = `${text}\n${signNoteText(text, name, privateKey, publicKey)}`;
    expect(parseNote(note).ok).to.equal(true);
    const vkey = encodeVerifierKey(verifierFor(name, publicKey));
    const good = ask({ leaves: [], sizes: [], vkey, note });
    expect(good.note_error).to.equal('');
    expect(good.note_ok).to.equal(true);
    expect(good.note_text).to.equal(text);
    const bad = ask({ leaves: [], sizes: [], vkey, note: note.replace('\n42\n', '\n43\n') });
    expect(bad.note_ok).to.equal(false);
    expect(formatNote({ text, signatures: [] })).to.equal(`${text}\n`);
  });
});
