// The streaming page selector against a sort-everything reference: over
// generated records, filters, limits and cursors it must pick exactly the
// page the reference picks, while never holding more than limit + 1 records.
import { expect } from 'chai';
import fc from 'fast-check';
import {
  AuditPageSelector,
  decodeContinue,
  encodeContinue,
  queryAuditRecords,
  type AuditPage,
  type AuditQuery,
} from '../../../src/core/audit-query.js';
import type { AuditRecord } from '../../../src/core/contracts/audit.js';
import { report } from './report-fixture.js';

const HEX = 'f'.repeat(64);

// Few distinct values, so ties (same time, same writer, even whole duplicate
// positions) and every filter hit and miss are common. The timestamps mix
// formats that sort differently as strings and as instants, and an
// unparseable one (sorts as the oldest).
const TIMESTAMPS = [
  '2026-01-01T00:00:00.000Z',
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:01.500Z',
  '2026-01-01T01:00:01+01:00',
  '2026-01-01T00:00:02.000Z',
  '2026-01-02T00:00:00.000Z',
  'not a time',
];
const WRITERS = ['pod-a', 'pod-b', 'pod-b-2'];
const APPS = ['app-0', 'app-1', undefined];

interface Shape {
  timestamp: string;
  writer: string;
  seq: number;
  scenario: 'T1' | 'T2';
  decision: 'ALLOW' | 'BLOCK';
  app_id: string | undefined;
}

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  timestamp: fc.constantFrom(...TIMESTAMPS),
  writer: fc.constantFrom(...WRITERS),
  seq: fc.integer({ min: 1, max: 5 }),
  scenario: fc.constantFrom('T1' as const, 'T2' as const),
  decision: fc.constantFrom('ALLOW' as const, 'BLOCK' as const),
  app_id: fc.constantFrom(...APPS),
});

// request_id carries the input index, so the order of equal records shows.
function toRecords(shapes: readonly Shape[]): AuditRecord[] {
  return shapes.map((s, i) => ({
    ...report(i, {
      timestamp: s.timestamp,
      scenario: s.scenario,
      decision: s.decision,
      subject: s.app_id === undefined ? {} : { app_id: s.app_id },
    }),
    request_id: `r${i}`,
    seq: s.seq,
    writer: s.writer,
    prev_hash: HEX,
    hash: HEX,
  }));
}

// The reference, written independently of the implementation: filter
// everything, stable-sort everything, slice.
function refTime(timestamp: string): number {
  const t = new Date(timestamp).getTime();
  return Number.isFinite(t) ? t : -Infinity;
}
function refCompare(
  a: { timestamp: string; writer: string; seq: number },
  b: { timestamp: string; writer: string; seq: number },
): number {
  const ta = refTime(a.timestamp);
  const tb = refTime(b.timestamp);
  if (ta !== tb) return ta > tb ? -1 : 1;
  if (a.writer !== b.writer) return a.writer < b.writer ? -1 : 1;
  return b.seq - a.seq;
}
function reference(records: readonly AuditRecord[], q: AuditQuery): AuditPage {
  const limit = q.limit ?? 50;
  const after = q.continue === undefined ? undefined : decodeContinue(q.continue);
  const sorted = records
    .filter(
      (r) =>
        (q.scenario === undefined || r.scenario === q.scenario) &&
        (q.decision === undefined || r.decision === q.decision) &&
        (q.app_id === undefined || r.subject.app_id === q.app_id) &&
        (q.since === undefined || refTime(r.timestamp) >= refTime(q.since)) &&
        (after === undefined || refCompare(r, after) > 0),
    )
    .sort(refCompare); // Array#sort is stable
  const items = sorted.slice(0, limit);
  const last = items.at(-1);
  return sorted.length > limit && last
    ? { items, continue: encodeContinue({ timestamp: last.timestamp, writer: last.writer, seq: last.seq }) }
    : { items };
}

function ids(page: AuditPage): { items: string[]; continue?: string } {
  return {
    items: page.items.map((r) => r.request_id),
    ...(page.continue ? { continue: page.continue } : {}),
  };
}

const cursorArb = fc.record({
  timestamp: fc.constantFrom(...TIMESTAMPS),
  writer: fc.constantFrom(...WRITERS, 'pod-0', 'pod-z'),
  seq: fc.integer({ min: 0, max: 6 }),
});
const queryArb: fc.Arbitrary<AuditQuery> = fc.record(
  {
    scenario: fc.constantFrom('T1' as const, 'T2' as const),
    decision: fc.constantFrom('ALLOW' as const, 'BLOCK' as const),
    app_id: fc.constantFrom('app-0', 'app-1', 'app-9'),
    since: fc.constantFrom(...TIMESTAMPS.filter((t) => t !== 'not a time')),
    limit: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(500)),
    continue: cursorArb.map(encodeContinue),
  },
  { requiredKeys: [] },
);

/** Offers each record and checks the bound after every one. */
function selectWatched(records: readonly AuditRecord[], q: AuditQuery): AuditPage {
  const selector = new AuditPageSelector(q);
  const cap = (q.limit ?? 50) + 1;
  for (const r of records) {
    selector.offer(r);
    if (selector.held > cap) throw new Error(`held ${selector.held} > limit + 1 = ${cap}`);
  }
  expect(selector.offered).to.equal(records.length);
  return selector.page();
}

describe('AuditPageSelector', () => {
  it('picks exactly the page a sort-everything reference picks, holding at most limit + 1 records', () => {
    fc.assert(
      fc.property(fc.array(shapeArb, { maxLength: 60 }), queryArb, (shapes, q) => {
        const records = toRecords(shapes);
        expect(ids(selectWatched(records, q))).to.deep.equal(ids(reference(records, q)));
        expect(ids(queryAuditRecords(records, q))).to.deep.equal(ids(reference(records, q)));
      }),
      { numRuns: 500 },
    );
  });

  it('pages through every matching record exactly once when positions are unique', () => {
    const uniqueShapes = fc.uniqueArray(shapeArb, { maxLength: 40, selector: (s) => `${s.writer}/${s.seq}` });
    const filters = fc.record(
      {
        decision: fc.constantFrom('ALLOW' as const, 'BLOCK' as const),
        app_id: fc.constantFrom('app-0', 'app-1'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(uniqueShapes, filters, fc.integer({ min: 1, max: 7 }), (shapes, f, limit) => {
        const records = toRecords(shapes);
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const q = { ...f, limit, ...(token ? { continue: token } : {}) };
          const page = selectWatched(records, q);
          expect(ids(page)).to.deep.equal(ids(reference(records, q)));
          seen.push(...page.items.map((r) => r.request_id));
          token = page.continue;
          pages += 1;
          expect(pages).to.be.at.most(records.length + 1);
        } while (token);
        expect(seen).to.deep.equal(ids(reference(records, { ...f, limit: 500 })).items);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the first of records that compare equal, as a stable sort does', () => {
    const same = {
      timestamp: '2026-01-01T00:00:00.000Z',
      writer: 'pod-a',
      seq: 1,
      scenario: 'T1' as const,
      decision: 'ALLOW' as const,
      app_id: 'app-0',
    };
    const records = toRecords([same, same, same, { ...same, seq: 2 }]);
    expect(ids(queryAuditRecords(records, { limit: 2 })).items).to.deep.equal(['r3', 'r0']);
    expect(ids(queryAuditRecords(records, { limit: 3 })).items).to.deep.equal(['r3', 'r0', 'r1']);
  });

  it('validates the query before any record is offered', () => {
    expect(() => new AuditPageSelector({ limit: 0 })).to.throw(/limit must be/);
    expect(() => new AuditPageSelector({ since: 'yesterday' })).to.throw(/since must be/);
    expect(() => new AuditPageSelector({ continue: 'not a token!' })).to.throw(/invalid continue token/);
  });

  it('holds limit + 1 records, not more, however many it is offered', () => {
    const selector = new AuditPageSelector({ limit: 3 });
    const shapes: Shape[] = Array.from({ length: 1000 }, (_, i) => ({
      timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
      writer: 'pod-a',
      seq: i + 1,
      scenario: 'T1',
      decision: 'ALLOW',
      app_id: 'app-0',
    }));
    for (const r of toRecords(shapes)) selector.offer(r);
    expect(selector.held).to.equal(4);
    expect(ids(selector.page())).to.deep.include({ items: ['r999', 'r998', 'r997'] });
  });
});
