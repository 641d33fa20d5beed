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
