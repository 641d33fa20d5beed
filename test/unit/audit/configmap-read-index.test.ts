// The ConfigMap sink's read index (src/adapters/audit/configmap-read-index.ts):
// a page, `?since`, `continue` and a decision lookup parse only the segments
// they show, a sealed segment is summarized once, and every answer equals a
// full scan of the stored records (queryAuditRecords over readRaw), also
// with two writers, a clock that steps back, repeated and unparseable
// timestamps, repeated request ids, a rewritten segment and a deleted one.
import { expect } from 'chai';
import { openConfigMapAuditSink } from '../../../src/adapters/audit/configmap-sink.js';
import { ConfigMapReadIndex } from '../../../src/adapters/audit/configmap-read-index.js';
import { queryAuditRecords, type AuditQuery } from '../../../src/core/audit-query.js';
import type { AuditRecord } from '../../../src/core/contracts/audit.js';
import type { AuditSink } from '../../../src/core/ports/audit.js';
import { auditRecords, findAuditRecords, queryAudit } from '../../../src/services/audit/read-audit.js';
import { FakeConfigMapStore } from './configmap-fake-store.js';
import { report } from './report-fixture.js';

/** The scanning path, whatever indexes the sink has. */
async function scan(sink: AuditSink): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of auditRecords({
    kind: sink.kind,
    readRaw: () => sink.readRaw(),
  } as unknown as AuditSink))
    out.push(r);
  return out;
}

async function allPages(
  read: (q: AuditQuery) => Promise<{ items: AuditRecord[]; continue?: string }>,
  q: AuditQuery,
) {
  const seen: string[] = [];
  let cont: string | undefined;
  for (let guard = 0; guard < 2000; guard++) {
    const page = await read({ ...q, ...(cont ? { continue: cont } : {}) });
    seen.push(...page.items.map((r) => `${r.writer}/${r.seq}`));
    cont = page.continue;
    if (!cont) return seen;
  }
  throw new Error('paging did not end');
}

describe('ConfigMap audit sink read index: reads in O(page + segments touched)', function () {
  this.timeout(120_000);
  const PER_WRITER = 240;
  let store: FakeConfigMapStore;
  let index: ConfigMapReadIndex;
  let sinks: AuditSink[];
  let reader: AuditSink;
  // Mostly ascending, a stretch an hour back (a clock step), a repeated instant and a timestamp that does not parse.
  const when = (i: number): string | undefined =>
    i % 37 === 0
      ? '2026-03-01T00:00:00.000Z'
      : i === 101
        ? 'not-a-time'
        : new Date(Date.UTC(2026, 0, 1) + i * 1000 - (i > 60 && i < 90 ? 3_600_000 : 0)).toISOString();

  before(async () => {
    store = new FakeConfigMapStore();
    index = new ConfigMapReadIndex(store);
    const open = (writer: string, readIndex?: ConfigMapReadIndex) =>
      openConfigMapAuditSink({
        store,
        writer,
        lingerMs: 0,
        retryBaseMs: 1,
        random: () => 0.5,
        segmentMaxBytes: 4096,
        ...(readIndex ? { readIndex } : {}),
      });
    sinks = [await open('w-a', index), await open('w-b')];
    reader = sinks[0]!;
    let n = 0;
    for (let i = 0; i < PER_WRITER; i++)
      for (const s of sinks) {
        n += 1;
        const timestamp = when(i);
        await s.append(
          report(n, {
            ...(timestamp ? { timestamp } : {}),
            ...(i % 50 === 0 ? { request_id: 'req-dup' } : {}),
          }),
        );
      }
  });
  after(async () => {
    for (const s of sinks) await s.close();
  });

  const queries: AuditQuery[] = [
    { limit: 7 },
    { limit: 50 },
    { scenario: 'T1', limit: 4 },
    { decision: 'ALLOW', limit: 9 },
    { app_id: 'app-2', limit: 5 },
    { since: '2026-01-01T00:02:30Z', limit: 6 },
    { since: '2026-01-01T00:00:10Z', scenario: 'T2', decision: 'BLOCK', app_id: 'app-1', limit: 3 },
    { limit: 500 },
  ];

  async function expectEqualToScan(): Promise<void> {
    const scanned = await scan(reader);
    expect(scanned.length).to.be.greaterThan(0);
    for (const q of queries) {
      const expected = await allPages(async (qq) => queryAuditRecords(scanned, qq), q);
      expect(await allPages((qq) => queryAudit(reader, qq), q), JSON.stringify(q)).to.deep.equal(expected);
    }
    for (const id of ['req-dup', 'req-1', `req-${PER_WRITER}`, `req-${PER_WRITER * 2}`, 'no-such-id']) {
      const all = scanned.filter((r) => r.request_id === id);
      for (const max of [1, 2, 100]) {
        const found = await findAuditRecords(reader, id, max);
        expect(found.total, id).to.equal(all.length);
        expect(found.records, id).to.deep.equal(all.slice(0, max));
      }
    }
  }

  it('spreads the log over many segments (what the index is for)', async () => {
    expect((await (await reader.readIndex!()).segments()).length).to.be.greaterThan(40);
  });

  it('every filter, page and lookup equals a scan of the stored records', async () => {
    await expectEqualToScan();
  });

  it('a first page parses a few segments, not the history; sealed segments are summarized once', async () => {
    await queryAudit(reader, { limit: 1 }); // warm: every summary built once
    const infos = (await reader.readIndex!()).segments();
    const before = { ...index.stats };
    const page = await queryAudit(reader, { limit: 10 });
    expect(index.stats.summarized - before.summarized, 'no segment changed: nothing re-summarized').to.equal(
      0,
    );
    // Newest first by time: only segments that reach the page's oldest time can hold its records
    // (the repeated newest instant is spread over 14 segments, so that is what this page costs).
    const oldestShown = Math.min(...page.items.map((r) => Date.parse(r.timestamp)));
    const reaching = infos.filter((s) => s.maxTime >= oldestShown).length;
    expect(index.stats.read - before.read, 'the page went through the index').to.be.greaterThan(0);
    expect(index.stats.read - before.read).to.be.at.most(reaching);
    expect(index.stats.read - before.read).to.be.lessThan(infos.length / 3);
    // A page of the ordinary (ascending) stretch: a couple of segments.
    const mid = index.stats.read;
    await queryAudit(reader, { since: '2026-01-01T00:03:50Z', limit: 3 });
    expect(index.stats.read - mid).to.be.lessThan(infos.length / 3);
  });

  it('a lookup of one request id reads the segment holding it (and rare Bloom false maybes), not every segment', async () => {
    const segments = (await reader.readIndex!()).segments().length;
    const before = index.stats.read;
    const found = await findAuditRecords(reader, 'req-77', 5);
    expect(found.total).to.equal(1);
    expect(index.stats.read - before).to.be.at.most(2);
    expect(index.stats.read - before).to.be.lessThan(segments);
    const miss = index.stats.read;
    expect((await findAuditRecords(reader, 'no-such-id', 5)).total).to.equal(0);
    expect(index.stats.read - miss).to.be.at.most(1);
  });

  it('after an append only the changed segment is summarized again', async () => {
    await queryAudit(reader, { limit: 1 });
    const before = index.stats.summarized;
    await sinks[1]!.append(report(100_000, { request_id: 'req-late' }));
    const page = await queryAudit(reader, { limit: 500 });
    expect(index.stats.summarized - before).to.be.at.most(2); // the open segment, or it and the one a seal created
    expect(page.items.some((r) => r.request_id === 'req-late')).to.equal(true);
    expect((await findAuditRecords(reader, 'req-late', 1)).total).to.equal(1);
  });

  it('a segment rewritten behind the sink (new resourceVersion) or deleted is read as it now is', async () => {
    const name = [...store.objects.keys()].sort()[3]!;
    store.edit(name, (t) => t.replaceAll('"decision":"BLOCK"', '"decision":"ALLOW"'));
    await expectEqualToScan();
    store.objects.delete([...store.objects.keys()].sort()[5]!);
    await expectEqualToScan();
  });
});

describe('ConfigMap audit sink read index: runs of 256 lines inside one large segment', function () {
  this.timeout(60_000);
  it('a page reads one run of a 700-record segment, a lookup one run, and both equal the scan', async () => {
    const store = new FakeConfigMapStore();
    const index = new ConfigMapReadIndex(store);
    const sink = await openConfigMapAuditSink({ store, writer: 'w-a', lingerMs: 0, readIndex: index });
    try {
      for (let i = 1; i <= 700; i++) await sink.append(report(i, i === 650 ? { request_id: 'req-dup' } : {}));
      await sink.append(report(701, { request_id: 'req-dup' }));
      expect([...store.objects.keys()].filter((n) => n.includes('audit-w-a'))).to.have.length(1);
      const scanned = await scan(sink);
      for (const q of [
        { limit: 7 },
        { app_id: 'app-1', limit: 30 },
        { since: '2026-01-01T00:05:00Z', limit: 9 },
      ]) {
        const expected = await allPages(async (qq) => queryAuditRecords(scanned, qq), q);
        expect(await allPages((qq) => queryAudit(sink, qq), q), JSON.stringify(q)).to.deep.equal(expected);
      }
      const before = index.stats.read;
      await queryAudit(sink, { limit: 10 });
      expect(index.stats.read - before).to.equal(1);
      const look = index.stats.read;
      const found = await findAuditRecords(sink, 'req-300', 3);
      expect(found.records.map((r) => r.request_id)).to.deep.equal(['req-300']);
      expect(index.stats.read - look).to.equal(1);
      expect(await findAuditRecords(sink, 'req-dup', 5)).to.deep.equal({
        records: scanned.filter((r) => r.request_id === 'req-dup'),
        total: 2,
      });
    } finally {
      await sink.close();
    }
  });
});

describe('ConfigMap audit sink read index: a read fetches only what it shows', function () {
  this.timeout(60_000);
  let store: FakeConfigMapStore;
  let sink: AuditSink;
  const open = (index: ConfigMapReadIndex) =>
    openConfigMapAuditSink({ store, writer: 'w-a', lingerMs: 0, segmentMaxBytes: 4096, readIndex: index });
  const sealed = () =>
    [...store.objects.values()]
      .filter((cm) => cm.immutable)
      .map((cm) => cm.name)
      .sort();
  /** What the store was asked for during `f`. */
  async function cost(f: () => Promise<unknown>) {
    const calls = store.calls.length;
    const bytes = store.dataBytes;
    await f();
    const made = store.calls.slice(calls).map((c) => c.op);
    return {
      lists: made.filter((op) => op === 'list').length,
      metaLists: made.filter((op) => op === 'listMeta').length,
      // Segment gets (not the archive ledger's).
      gets: store.calls.slice(calls).filter((c) => c.op === 'get' && /-\d{6,}$/.test(c.name ?? '')).length,
      bytes: store.dataBytes - bytes,
    };
  }

  beforeEach(async () => {
    store = new FakeConfigMapStore();
    const writer = await open(new ConfigMapReadIndex(store));
    for (let i = 1; i <= 200; i++) await writer.append(report(i));
    await writer.close();
    expect(sealed().length).to.be.greaterThan(20);
  });
  afterEach(async () => {
    await sink.close();
  });

  it('the first read fetches every segment in one list; later reads list metadata only and fetch nothing unchanged', async () => {
    const index = new ConfigMapReadIndex(store);
    sink = await open(index);
    const first = await cost(() => queryAudit(sink, { limit: 10 }));
    expect(first.lists, 'one full list, not a get per segment').to.equal(1);
    expect(first.gets).to.equal(0);
    const page = await cost(() => queryAudit(sink, { limit: 10 }));
    expect(page).to.deep.equal({ lists: 0, metaLists: 1, gets: 0, bytes: 0 });
    const lookup = await cost(() => findAuditRecords(sink, 'req-17', 5));
    expect(lookup).to.deep.equal({ lists: 0, metaLists: 1, gets: 0, bytes: 0 });
  });

  it('without a body cache a page gets only the segments it reads, and after an append only the open one', async () => {
    const index = new ConfigMapReadIndex(store, { bodyCacheBytes: 0 });
    sink = await open(index);
    await queryAudit(sink, { limit: 1 });
    const total = [...store.objects.values()].reduce(
      (n, cm) => n + (cm.data['records.jsonl'] ?? '').length,
      0,
    );
    const read = index.stats.read;
    const page = await cost(() => queryAudit(sink, { limit: 10 }));
    expect(page.lists).to.equal(0);
    expect(page.gets)
      .to.be.at.least(1)
      .and.at.most(index.stats.read - read);
    expect(page.bytes).to.be.lessThan(total / 10);
    await sink.append(report(1000, { request_id: 'req-new' }));
    const after = await cost(() => findAuditRecords(sink, 'req-new', 1));
    expect(after.lists).to.equal(0);
    expect(after.gets, 'the open segment changed: it alone is fetched (and read from that fetch)').to.equal(
      1,
    );
  });

  it('a rewritten annotation or record of a sealed segment makes the read fetch it again and show what is stored', async () => {
    const index = new ConfigMapReadIndex(store);
    sink = await open(index);
    await queryAudit(sink, { limit: 1 });
    const [a, b] = [sealed()[2]!, sealed()[4]!];
    // Annotations claiming another chain position, and a record rewritten: neither is trusted as an index.
    store.annotate(a, { 'migrationgate.io/previous-seq': '0', 'migrationgate.io/previous-hash': 'x' });
    store.edit(b, (t) => t.replace('"decision":"BLOCK"', '"decision":"ALLOW"'));
    const fetched = index.stats.fetched;
    const scanned = await scan(sink);
    for (const q of [{ limit: 500 }, { decision: 'ALLOW' as const, limit: 500 }]) {
      const expected = await allPages(async (qq) => queryAuditRecords(scanned, qq), q);
      expect(await allPages((qq) => queryAudit(sink, qq), q)).to.deep.equal(expected);
    }
    expect(index.stats.fetched - fetched).to.equal(2);
    for (const id of ['req-3', 'req-40', 'req-199'])
      expect((await findAuditRecords(sink, id, 5)).records).to.deep.equal(
        scanned.filter((r) => r.request_id === id),
      );
  });

  it('a segment changed or deleted between the index and its read fails the read (closed), never shows another version', async () => {
    const index = new ConfigMapReadIndex(store, { bodyCacheBytes: 0 });
    sink = await open(index);
    await index.snapshot(); // warm: the next snapshot fetches no body
    const snap = await index.snapshot();
    const drain = async (id: number) => {
      for await (const e of snap.read(id)) void e;
    };
    const infos = snap.segments();
    const name = sealed()[0]!;
    store.edit(name, (t) => t.replace('"decision":"BLOCK"', '"decision":"ALLOW"'));
    const err = await drain(infos[0]!.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.have.property('code', 'audit-unavailable');
    expect(String((err as Error).message)).to.include(name);
    // Deleted meanwhile: refused the same way.
    store.objects.delete(sealed()[1]!);
    const gone = await drain(infos[1]!.id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(gone).to.have.property('code', 'audit-unavailable');
  });
});
