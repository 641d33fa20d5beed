// The file sink's index: pages, `?since`, `continue` and decision lookups
// read only the segments that can hold what they show, and give exactly
// what a full scan gives (differential against queryAuditRecords over
// every record), also when timestamps go backwards across segments, after
// a restart and for records appended since.
import { expect } from 'chai';
import { mkdtemp, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileAuditSink } from '../../../src/adapters/audit/file-sink.js';
import { SEGMENT_RECORDS } from '../../../src/adapters/audit/file-index.js';
import { queryAuditRecords } from '../../../src/core/audit-query.js';
import type { AuditRecord } from '../../../src/core/contracts/audit.js';
import type { AuditSink } from '../../../src/core/ports/audit.js';
import { auditRecords, findAuditRecords, queryAudit } from '../../../src/services/audit/read-audit.js';
import { report } from './report-fixture.js';

/** The sink with a count of index segments read. */
function counting(sink: AuditSink): { sink: AuditSink; reads: () => number } {
  let n = 0;
  const index = sink.index!;
  return {
    sink: {
      ...sink,
      kind: sink.kind,
      append: (r) => sink.append(r),
      readRaw: () => sink.readRaw(),
      health: () => sink.health(),
      close: () => sink.close(),
      index: {
        segments: () => index.segments(),
        read: (id) => {
          n += 1;
          return index.read(id);
        },
      },
    },
    reads: () => n,
  };
}

async function all(sink: AuditSink): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for await (const r of auditRecords(sink)) out.push(r);
  return out;
}

describe('file audit sink index: reads in O(page)', function () {
  this.timeout(60_000);
  let dir: string;
  let path: string;
  let sink: AuditSink;
  const N = SEGMENT_RECORDS * 6 + 100;
  // Mostly ascending time, with a stretch that goes back an hour (a clock step): order must not be assumed.
  const when = (i: number) =>
    new Date(Date.UTC(2026, 0, 1) + i * 1000 - (i > 300 && i < 500 ? 3_600_000 : 0)).toISOString();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mg-index-'));
    path = join(dir, 'audit.jsonl');
    const first = await openFileAuditSink({ path, writer: 'w', lingerMs: 0 });
    for (let i = 0; i < N; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, N - i) }, (_, k) =>
          first.append(report(i + k, { timestamp: when(i + k), request_id: `req-${(i + k) % 700}` })),
        ),
      );
    }
    await first.close();
    // A line that is not a record, mid-log: it stays in its segment and is skipped like a full scan skips it.
    await appendFile(path, 'not json at all\n');
    sink = await openFileAuditSink({ path, writer: 'w', lingerMs: 0 });
    await sink.append(report(N, { timestamp: when(N), request_id: 'req-after-restart' }));
  });
  after(async () => {
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps one small summary per segment', () => {
    expect(sink.index!.segments().length).to.equal(Math.ceil((N + 2) / SEGMENT_RECORDS));
  });

  it('answers the first page from the newest segment only, exactly as a full scan would', async () => {
    const everything = await all(sink);
    const c = counting(sink);
    const page = await queryAudit(c.sink, { limit: 50 });
    expect(c.reads()).to.equal(1);
    expect(page).to.deep.equal(queryAuditRecords(everything, { limit: 50 }));
    expect(page.items[0]!.request_id).to.equal('req-after-restart');
  });

  it("pages with continue, filters and since give the full scan's answer and skip segments", async () => {
    const everything = await all(sink);
    const queries = [
      { limit: 500 },
      { decision: 'BLOCK' as const, limit: 7 },
      { scenario: 'T2' as const, app_id: 'app-1', limit: 30 },
      { since: when(N - 300), limit: 500 },
      { since: when(350), limit: 100 },
      { app_id: 'nobody', limit: 10 },
    ];
    for (const q of queries) {
      let token: string | undefined;
      for (let pageNo = 0; pageNo < 4; pageNo++) {
        const query = { ...q, ...(token ? { continue: token } : {}) };
        const c = counting(sink);
        const got = await queryAudit(c.sink, query);
        expect(got, JSON.stringify(query)).to.deep.equal(queryAuditRecords(everything, query));
        // 300 records span at most two segments.
        if ('since' in q && q.since === when(N - 300))
          expect(c.reads(), 'since reads only the newest segments').to.be.at.most(
            Math.ceil(300 / SEGMENT_RECORDS) + 1,
          );
        token = got.continue;
        if (!token) break;
      }
    }
  });

  it('looks a decision up by reading only the segments whose filter may hold it', async () => {
    const c = counting(sink);
    const found = await findAuditRecords(c.sink, 'req-after-restart', 5);
    expect(found.total).to.equal(1);
    expect(c.reads()).to.be.at.most(2);
    // An id that recurs (ids come from callers): every occurrence, oldest first, like the full scan.
    const everything = await all(sink);
    const c2 = counting(sink);
    const many = await findAuditRecords(c2.sink, 'req-3', 10);
    const expected = everything.filter((r) => r.request_id === 'req-3');
    expect(many.total).to.equal(expected.length);
    expect(many.records).to.deep.equal(expected.slice(0, 10));
    const none = counting(sink);
    expect((await findAuditRecords(none.sink, 'never-seen', 5)).total).to.equal(0);
    expect(none.reads()).to.be.at.most(1);
  });
});

describe('request id filter', () => {
  it('never says no to an id it holds, and rarely says maybe to one it does not', async () => {
    const { RequestIdFilter } = await import('../../../src/core/audit-index.js');
    const f = new RequestIdFilter(1000);
    for (let i = 0; i < 1000; i++) f.add(`01J${i}`);
    for (let i = 0; i < 1000; i++) expect(f.mayContain(`01J${i}`)).to.equal(true);
    let maybes = 0;
    for (let i = 0; i < 10_000; i++) if (f.mayContain(`other-${i}`)) maybes += 1;
    expect(maybes / 10_000).to.be.below(0.005);
  });

  it('says maybe in vain less than once in 20,000 tries when full at the size the sinks use (256 ids)', async () => {
    // A lookup in a million records tests ~4,000 such filters; each false
    // maybe is a whole segment read. (At 16 bits per id this was ~1 in 2,000.)
    const { RequestIdFilter } = await import('../../../src/core/audit-index.js');
    let maybes = 0;
    const tries = 200_000;
    for (let run = 0; run < 20; run++) {
      const f = new RequestIdFilter(256);
      for (let i = 0; i < 256; i++) f.add(`01JRUN${run}-${i}`);
      for (let i = 0; i < tries / 20; i++) if (f.mayContain(`01JABSENT${run}-${i}`)) maybes += 1;
    }
    expect(maybes / tries).to.be.below(1 / 20_000);
  });
});
