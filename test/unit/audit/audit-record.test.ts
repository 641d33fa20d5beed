import { expect } from 'chai';
import {
  auditableReport,
  chainBatch,
  chainRecord,
  GENESIS_HEAD,
  recordHash,
  verifyChains,
} from '../../../src/core/audit-record.js';
import { GENESIS_HASH, type AuditRecord } from '../../../src/core/contracts/audit.js';
import type { RawAuditEntry } from '../../../src/core/ports/audit.js';
import { report } from './report-fixture.js';

function entries(records: AuditRecord[]): RawAuditEntry[] {
  return records.map((r, i) => ({ location: `audit.jsonl:${i + 1}`, text: JSON.stringify(r) }));
}

describe('audit record chaining', () => {
  it('starts a writer at seq 1 from the genesis hash and hashes the record without `hash`', () => {
    const r = chainRecord(report(1), 'pod-a', 1, GENESIS_HASH);
    expect(r.seq).to.equal(1);
    expect(r.prev_hash).to.equal(GENESIS_HASH);
    const { hash, ...rest } = r;
    expect(hash).to.equal(recordHash(rest));
  });

  it('stores only contract fields and refuses a malformed report', () => {
    const withExtra = { ...report(1), secret: 'x' } as unknown as Parameters<typeof chainRecord>[0];
    expect(chainRecord(withExtra, 'w', 1, GENESIS_HASH)).to.not.have.property('secret');
    const bad = { ...report(1), decision: 'MAYBE' } as unknown as Parameters<typeof chainRecord>[0];
    expect(() => chainRecord(bad, 'w', 1, GENESIS_HASH)).to.throw(/malformed report/);
  });

  it('chains a batch and returns the new head', () => {
    const { records, head } = chainBatch(
      [report(1), report(2), report(3)].map(auditableReport),
      'w',
      GENESIS_HEAD,
    );
    expect(records.map((r) => r.seq)).to.deep.equal([1, 2, 3]);
    expect(records[1]!.prev_hash).to.equal(records[0]!.hash);
    expect(head).to.deep.equal({ seq: 3, hash: records[2]!.hash });
  });
});

describe('verifyChains', () => {
  const chain = (writer: string, n: number): AuditRecord[] =>
    chainBatch(
      Array.from({ length: n }, (_, i) => auditableReport(report(i + 1))),
      writer,
      GENESIS_HEAD,
    ).records;

  it('accepts intact chains of several interleaved writers (sync or async input)', async () => {
    const a = chain('pod-a', 3);
    const b = chain('pod-b', 2);
    const mixed = [a[0]!, b[0]!, a[1]!, b[1]!, a[2]!];
    const v = await verifyChains(entries(mixed));
    expect(v.ok).to.equal(true);
    expect(v.records).to.equal(5);
    expect(v.writers).to.deep.equal([
      { writer: 'pod-a', records: 3, last_seq: 3, head: a[2]!.hash },
      { writer: 'pod-b', records: 2, last_seq: 2, head: b[1]!.hash },
    ]);
    async function* gen(): AsyncGenerator<RawAuditEntry> {
      yield* entries(mixed);
    }
    expect((await verifyChains(gen())).ok).to.equal(true);
  });

  it('accepts an empty store', async () => {
    expect(await verifyChains([])).to.deep.equal({ ok: true, records: 0, writers: [] });
  });

  it('names an altered record by location', async () => {
    const e = entries(chain('w', 4));
    e[2]!.text = e[2]!.text.replace('"ALLOW"', '"BLOCK"');
    const v = await verifyChains(e);
    expect(v.ok).to.equal(false);
    expect(v.first_bad).to.include({ location: 'audit.jsonl:3', writer: 'w', seq: 3 });
    expect(v.first_bad!.problem).to.match(/hash mismatch/);
  });

  it('catches an added field', async () => {
    const e = entries(chain('w', 2));
    e[1]!.text = e[1]!.text.replace('{', '{"note":"x",');
    expect((await verifyChains(e)).first_bad).to.include({ location: 'audit.jsonl:2' });
  });

  it('names a gap with how many records are missing', async () => {
    const recs = chain('w', 5);
    const v = await verifyChains(entries([recs[0]!, recs[1]!, recs[2]!, recs[4]!]));
    expect(v.first_bad).to.deep.equal({
      location: 'audit.jsonl:4',
      writer: 'w',
      seq: 5,
      problem: 'seq 5 follows 3: 1 record missing',
    });
    expect(v.writers[0]).to.include({ records: 4, last_seq: 5 });
  });

  it('reports a chain that does not start at seq 1', async () => {
    const recs = chain('w', 3).slice(1);
    expect((await verifyChains(entries(recs))).first_bad!.problem).to.match(
      /seq 2 follows 0: 1 record missing \(verification starts at seq 1\)/,
    );
  });

  it('names reordered and repeated records', async () => {
    const recs = chain('w', 4);
    const swapped = await verifyChains(entries([recs[0]!, recs[2]!, recs[1]!, recs[3]!]));
    expect(swapped.first_bad).to.include({ location: 'audit.jsonl:2', seq: 3 });
    const repeated = await verifyChains(entries([recs[0]!, recs[1]!, recs[1]!]));
    expect(repeated.first_bad).to.deep.include({
      location: 'audit.jsonl:3',
      problem: 'seq 2 repeats 2: duplicated record',
    });
  });

  it('detects a record re-hashed onto a forged prev_hash', async () => {
    const recs = chain('w', 3);
    const forged = chainRecord(report(9), 'w', 2, 'f'.repeat(64));
    const v = await verifyChains(entries([recs[0]!, forged, recs[2]!]));
    expect(v.first_bad).to.include({ location: 'audit.jsonl:2', seq: 2 });
    expect(v.first_bad!.problem).to.match(/^prev_hash f{64} does not match the hash of seq 1/);
  });

  it('reports unparseable and non-record lines', async () => {
    const e = entries(chain('w', 2));
    const broken = await verifyChains([e[0]!, { location: 'audit.jsonl:2', text: '{"seq":' }]);
    expect(broken.first_bad!.location).to.equal('audit.jsonl:2');
    expect(broken.first_bad!.problem).to.match(/^not valid JSON/);
    const schema = await verifyChains([{ location: 'x:1', text: '{"seq":1}' }]);
    expect(schema.first_bad!.problem).to.match(/^not an audit record/);
  });
});
