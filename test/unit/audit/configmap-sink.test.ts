import { expect } from 'chai';
import {
  openConfigMapAuditSink,
  type ConfigMapAuditSinkOptions,
} from '../../../src/adapters/audit/configmap-sink.js';
import { verifyChains } from '../../../src/core/audit-record.js';
import type { AuditSink, RawAuditEntry } from '../../../src/core/ports/audit.js';
import { FakeConfigMapStore } from './configmap-fake-store.js';
import { report } from './report-fixture.js';

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

async function collect(it: AsyncIterable<RawAuditEntry>): Promise<RawAuditEntry[]> {
  const out: RawAuditEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const SEG1 = 'migration-gate-audit-pod-a-000001';
const SEG2 = 'migration-gate-audit-pod-a-000002';

describe('ConfigMap audit sink (fake store)', () => {
  let store: FakeConfigMapStore;
  const sinks: AuditSink[] = [];
  const open = async (extra: Partial<ConfigMapAuditSinkOptions> = {}): Promise<AuditSink> => {
    const s = await openConfigMapAuditSink({
      store,
      writer: 'pod-a',
      lingerMs: 0,
      retryBaseMs: 1,
      random: () => 0.5,
      ...extra,
    });
    sinks.push(s);
    return s;
  };
  const text = (name: string) => store.objects.get(name)?.data['records.jsonl'] ?? '';
  const seqs = async (sink: AuditSink) =>
    (await collect(sink.readRaw())).map((e) => (JSON.parse(e.text) as { writer: string; seq: number }).seq);

  beforeEach(() => {
    store = new FakeConfigMapStore();
  });
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });

  it('creates a labelled segment and appends chained JSON lines that verify', async () => {
    const sink = await open();
    const r1 = await sink.append(report(1));
    const r2 = await sink.append(report(2));
    expect([r1.seq, r2.seq]).to.deep.equal([1, 2]);
    const cm = store.objects.get(SEG1)!;
    expect(cm.labels).to.deep.equal({
      'migrationgate.io/audit-segment': 'true',
      'migrationgate.io/writer': 'pod-a',
    });
    expect(cm.immutable).to.equal(false);
    expect(text(SEG1).split('\n')).to.have.length(3); // two lines + the final newline
    const entries = await collect(sink.readRaw());
    expect(entries.map((e) => e.location)).to.deep.equal([
      `configmap ${SEG1} line 1`,
      `configmap ${SEG1} line 2`,
    ]);
    expect(await verifyChains(entries)).to.deep.include({ ok: true, records: 2 });
    expect(sink.health()).to.deep.include({ ok: true });
    expect(sink.health().detail).to.contain('seq 2').and.contain(SEG1);
  });

  it('shares one update among appends that arrive together (group commit)', async () => {
    const sink = await open();
    await sink.append(report(0));
    const before = store.writes();
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => sink.append(report(i + 1))));
    expect(records.map((r) => r.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(store.writes() - before).to.equal(1);
  });

  it('seals a full segment (immutable) and continues the chain in the next one', async () => {
    const sink = await open({ segmentMaxBytes: 2048 });
    // 13: the 13th record opens a segment of its own (four ~500-byte records fill one).
    for (let i = 1; i <= 13; i++) await sink.append(report(i));
    const names = [...store.objects.keys()].sort();
    expect(names.length).to.be.greaterThan(2);
    for (const name of names.slice(0, -1)) {
      expect(store.objects.get(name)!.immutable, name).to.equal(true);
      expect(Buffer.byteLength(text(name))).to.be.at.most(2048);
    }
    expect(store.objects.get(names.at(-1)!)!.immutable).to.equal(false);
    const second = store.objects.get(SEG2)!;
    const lastOfFirst = JSON.parse(text(SEG1).trimEnd().split('\n').at(-1)!) as { seq: number; hash: string };
    expect(second.annotations).to.deep.equal({
      'migrationgate.io/previous-segment': SEG1,
      'migrationgate.io/previous-hash': lastOfFirst.hash,
      'migrationgate.io/previous-seq': String(lastOfFirst.seq),
    });
    expect(await seqs(sink)).to.deep.equal(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true, records: 13 });
  });

  it('seals a segment in the write of its last records: one write per decision, none only to seal', async () => {
    const sealed: number[] = [];
    const sink = await open({ segmentMaxBytes: 2048, onSealed: (seq) => sealed.push(seq) });
    const before = store.writes();
    for (let i = 1; i <= 12; i++) await sink.append(report(i));
    expect(store.writes() - before, 'one create or update per single-record batch').to.equal(12);
    const names = [...store.objects.keys()].sort();
    expect(names.length).to.be.greaterThan(2);
    // Every sealed segment ended where the next record of this size would not have fit.
    const lineSize = Buffer.byteLength(text(SEG1).split('\n')[0]! + '\n');
    for (const name of names.slice(0, -1)) {
      expect(store.objects.get(name)!.immutable, name).to.equal(true);
      expect(2048 - Buffer.byteLength(text(name)), name).to.be.lessThan(lineSize + 64);
    }
    expect(sealed, 'onSealed once per sealed segment').to.have.length(
      names.filter((n) => store.objects.get(n)!.immutable).length,
    );
    expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true, records: 12 });
  });

  it('a batch running past its segment seals it in the same update and creates the next', async () => {
    const sink = await open({ segmentMaxBytes: 4096 });
    await sink.append(report(0));
    const before = store.writes();
    await Promise.all(Array.from({ length: 10 }, (_, i) => sink.append(report(i + 1))));
    expect(store.calls.slice(-2).map((c) => c.op)).to.deep.equal(['replace', 'create']);
    expect(store.writes() - before, 'append+seal, then create').to.equal(2);
    expect(store.objects.get(SEG1)!.immutable).to.equal(true);
    expect(await seqs(sink)).to.deep.equal(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('an append+seal whose answer was lost is adopted, not written again, and the chain goes on', async () => {
    const sink = await open({ segmentMaxBytes: 2048 });
    await sink.append(report(1));
    for (let i = 2; ; i++) {
      // The write that seals SEG1 lands, its answer is lost.
      if (store.objects.get(SEG1)!.immutable) break;
      store.faults.push({ op: 'replace', kind: 'unavailable', when: 'after' });
      await sink.append(report(i));
      store.faults.length = 0;
    }
    const last = (await seqs(sink)).at(-1)!;
    expect((await sink.append(report(last + 1))).seq).to.equal(last + 1);
    expect(await seqs(sink)).to.deep.equal(Array.from({ length: last + 1 }, (_, i) => i + 1));
    expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true });
  });

  it('resumes the chain from the newest segment on start, sealed or not', async () => {
    const first = await open({ segmentMaxBytes: 2048 });
    for (let i = 1; i <= 7; i++) await first.append(report(i));
    await first.close();
    const second = await open({ segmentMaxBytes: 2048 });
    expect((await second.append(report(8))).seq).to.equal(8);
    // The newest segment sealed (e.g. a crash between seal and create): the next one is created.
    const newest = [...store.objects.keys()].sort().at(-1)!;
    store.objects.set(newest, { ...store.objects.get(newest)!, immutable: true });
    await second.close();
    const third = await open({ segmentMaxBytes: 2048 });
    expect((await third.append(report(9))).seq).to.equal(9);
    expect([...store.objects.keys()].sort().at(-1)).to.not.equal(newest);
    expect(await verifyChains(third.readRaw())).to.deep.include({ ok: true, records: 9 });
  });

  it('retries an update that lost the race (409) on the re-read segment', async () => {
    const sink = await open();
    await sink.append(report(1));
    store.faults.push({ op: 'replace', kind: 'conflict', then: () => store.bump(SEG1) });
    expect((await sink.append(report(2))).seq).to.equal(2);
    expect(await seqs(sink)).to.deep.equal([1, 2]);
  });

  it('does not write a batch twice when the update landed but its answer was lost', async () => {
    const sink = await open();
    await sink.append(report(1));
    store.faults.push({ op: 'replace', kind: 'unavailable', when: 'after' });
    expect((await sink.append(report(2))).seq).to.equal(2);
    expect(await seqs(sink)).to.deep.equal([1, 2]);
    expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true });
  });

  it('does not create a segment twice when the create landed but its answer was lost', async () => {
    const sink = await open();
    store.faults.push({ op: 'create', kind: 'unavailable', when: 'after' });
    expect((await sink.append(report(1))).seq).to.equal(1);
    expect([...store.objects.keys()]).to.deep.equal([SEG1]);
    expect(await seqs(sink)).to.deep.equal([1]);
  });

  it('an unknown outcome it cannot resolve fails the batch; the next batch re-reads first (no fork, no duplicate)', async () => {
    const sink = await open({ probeIntervalMs: 60_000 });
    await sink.append(report(1));
    // The update lands, the answer is lost, and the apiserver goes away before the re-read.
    store.faults.push({
      op: 'replace',
      kind: 'unavailable',
      when: 'after',
      then: () => {
        store.down = true;
      },
    });
    const err = await rejection(sink.append(report(2)));
    expect(err.code).to.equal('audit-unavailable');
    expect(sink.health().ok).to.equal(false);
    store.down = false;
    // seq 2 is in the store (durable, although its caller was told it failed); the chain continues after it.
    expect((await sink.append(report(3))).seq).to.equal(3);
    expect(await seqs(sink)).to.deep.equal([1, 2, 3]);
    expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true, records: 3 });
    expect(sink.health().ok).to.equal(true);
  });

  it('fails closed while the apiserver is down and recovers (probe) when it is back', async () => {
    const sink = await open({ probeIntervalMs: 10 });
    await sink.append(report(1));
    store.down = true;
    const err = await rejection(sink.append(report(2)));
    expect(err.code).to.equal('audit-unavailable');
    expect(err.message).to.contain('ECONNREFUSED');
    expect(sink.health()).to.deep.include({ ok: false });
    expect(sink.health().detail).to.contain('ECONNREFUSED');
    store.down = false;
    for (let i = 0; i < 100 && !sink.health().ok; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sink.health().ok).to.equal(true);
    expect((await sink.append(report(3))).seq).to.equal(2);
    expect(await seqs(sink)).to.deep.equal([1, 2]);
  });

  it('does not retry a refusal (403): nothing was applied', async () => {
    const sink = await open({ probeIntervalMs: 60_000 });
    await sink.append(report(1));
    const before = store.writes();
    store.faults.push({ op: 'replace', kind: 'forbidden' });
    expect((await rejection(sink.append(report(2)))).code).to.equal('audit-unavailable');
    expect(store.writes() - before).to.equal(1);
    expect((await sink.append(report(3))).seq).to.equal(2);
  });

  it('gives up after bounded retries when every update conflicts', async () => {
    const sink = await open({ maxAttempts: 3, probeIntervalMs: 60_000 });
    await sink.append(report(1));
    for (let i = 0; i < 5; i++) store.faults.push({ op: 'replace', kind: 'conflict' });
    const before = store.writes();
    expect((await rejection(sink.append(report(2)))).code).to.equal('audit-unavailable');
    expect(store.writes() - before).to.equal(3);
  });

  it('refuses to chain after a segment changed behind its back (another writer with the same id)', async () => {
    const sink = await open({ probeIntervalMs: 60_000 });
    await sink.append(report(1));
    const other = await open();
    await other.append(report(2)); // same writer id, second process
    const err = await rejection(sink.append(report(3)));
    expect(err.message).to.contain('changed by another writer');
  });

  it('starts unhealthy when the apiserver is unreachable, then lists and resumes before its first write', async () => {
    const seeded = await open();
    await seeded.append(report(1));
    await seeded.close();
    store.down = true;
    const sink = await open({ probeIntervalMs: 60_000 });
    expect(sink.health().ok).to.equal(false);
    store.down = false;
    expect((await sink.append(report(2))).seq).to.equal(2);
    expect(sink.health().ok).to.equal(true);
  });

  it('a segment removed behind its back fails one batch, then the chain goes on in a new segment', async () => {
    const sink = await open({ probeIntervalMs: 60_000 });
    await sink.append(report(1));
    store.objects.delete(SEG1);
    expect((await rejection(sink.append(report(2)))).code).to.equal('audit-unavailable');
    expect((await sink.append(report(3))).seq).to.equal(1);
    expect([...store.objects.keys()]).to.deep.equal([SEG1]);
  });

  it('refuses to start without RBAC to list its segments', async () => {
    store.faults.push({ op: 'list', kind: 'forbidden' });
    const err = await rejection(openConfigMapAuditSink({ store, writer: 'pod-a' }));
    expect(err.message).to.contain('forbidden');
  });

  it('reads every writer and segment ordered by writer, then segment, then line', async () => {
    const b = await open({ writer: 'pod-b', segmentMaxBytes: 2048 });
    const a = await open({ writer: 'pod-a', segmentMaxBytes: 2048 });
    for (let i = 1; i <= 6; i++) await Promise.all([a.append(report(i)), b.append(report(i + 100))]);
    const entries = await collect(a.readRaw());
    const parsed = entries.map((e) => JSON.parse(e.text) as { writer: string; seq: number });
    expect(parsed.map((p) => `${p.writer}:${p.seq}`)).to.deep.equal([
      ...Array.from({ length: 6 }, (_, i) => `pod-a:${i + 1}`),
      ...Array.from({ length: 6 }, (_, i) => `pod-b:${i + 1}`),
    ]);
    expect(entries.at(-1)!.location).to.match(/^configmap migration-gate-audit-pod-b-00000\d line \d+$/);
    const v = await verifyChains(entries);
    expect(v.ok).to.equal(true);
    expect(v.writers.map((w) => [w.writer, w.last_seq])).to.deep.equal([
      ['pod-a', 6],
      ['pod-b', 6],
    ]);
  });

  it('verification reports a tampered segment line by its location', async () => {
    const sink = await open();
    await sink.append(report(1));
    await sink.append(report(2));
    store.edit(SEG1, (t) => t.replace('"decision":"BLOCK"', '"decision":"ALLOW"'));
    const v = await verifyChains(sink.readRaw());
    expect(v.ok).to.equal(false);
    expect(v.first_bad?.location).to.match(/^configmap migration-gate-audit-pod-a-000001 line [12]$/);
  });
});
