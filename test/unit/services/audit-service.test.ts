// The audit reads stream the sink: a long history is never held in memory.
// The fake sinks below check, before yielding each line, that the reader has
// already consumed every earlier one: a reader that collected the lines first
// fails on the second line, deterministically, with no memory measurement.
import { expect } from 'chai';
import { AuditPageSelector, queryAuditRecords } from '../../../src/core/audit-query.js';
import { verifyChains } from '../../../src/core/audit-record.js';
import type { AuditRecord, StoredRecord } from '../../../src/core/contracts/audit.js';
import type { AuditSink, RawAuditEntry } from '../../../src/core/ports/audit.js';
import {
  findAuditRecords,
  queryAudit,
  selectAuditPage,
  verifyAudit,
} from '../../../src/services/audit/read-audit.js';
import { createMemoryAuditSink } from '../../support/memory-audit-sink.js';
import { report } from '../audit/report-fixture.js';

const HEX = 'a'.repeat(64);
const BASE = Date.UTC(2026, 0, 1);
const N = 200_000;
// A permutation of 0..N-1 (7919 is prime and does not divide N), so time is
// not the stored order and the newest records are spread over the whole log.
const slot = (i: number): number => (i * 7919) % N;

// Built as a string (not report() + JSON.stringify) to keep 200k lines quick;
// the first line is checked against the schema'd fixture below.
function line(i: number, requestId = `req-${i}`): string {
  const timestamp = new Date(BASE + slot(i) * 1000).toISOString();
  const decision = i % 3 === 0 ? 'ALLOW' : 'BLOCK';
  const reasons = i % 3 === 0 ? '[]' : '["[config-hash-mismatch] sha256 differs"]';
  return (
    `{"request_id":"${requestId}","timestamp":"${timestamp}","scenario":"${i % 2 === 0 ? 'T1' : 'T2'}","decision":"${decision}",` +
    `"subject":{"app_id":"app-${i % 4}","env":"prod"},"steps":[{"step":"hash","status":"pass"}],"findings":[],"reasons":${reasons},"warnings":[],` +
    `"seq":${i + 1},"writer":"pod-${i % 3}","prev_hash":"${HEX}","hash":"${HEX}"}`
  );
}

/** A sink that makes its lines on demand and calls `check(i)` before yielding line i. */
function generatedSink(count: number, text: (i: number) => string, check: (i: number) => void): AuditSink {
  return {
    kind: 'memory',
    async *readRaw(): AsyncIterable<RawAuditEntry> {
      for (let i = 0; i < count; i += 1) {
        check(i);
        yield { location: `gen:${i + 1}`, text: text(i) };
      }
    },
    append: () => Promise.reject(new Error('read-only')),
    health: () => ({ ok: true, detail: 'generated' }),
    close: () => Promise.resolve(),
  };
}

class WatchedSelector extends AuditPageSelector {
  maxHeld = 0;
  override offer(record: AuditRecord): void {
    super.offer(record);
    this.maxHeld = Math.max(this.maxHeld, this.held);
  }
}

describe('audit service reads', function () {
  this.timeout(120_000);

  it('generates lines that are the fixture records', () => {
    for (const i of [0, 1, 5]) {
      const record: AuditRecord = {
        ...report(i, { timestamp: new Date(BASE + slot(i) * 1000).toISOString() }),
        seq: i + 1,
        writer: `pod-${i % 3}`,
        prev_hash: HEX,
        hash: HEX,
      };
      expect(JSON.parse(line(i))).to.deep.equal(record);
    }
  });

  it(`pages ${N} records streamed through the selector, holding at most limit + 1`, async () => {
    const limit = 500;
    const selector = new WatchedSelector({ limit, decision: 'BLOCK' });
    const sink = generatedSink(N, line, (i) => {
      if (selector.offered !== i)
        throw new Error(`line ${i} read ahead: only ${selector.offered} records offered so far`);
    });
    const page = await selectAuditPage(sink, selector);
    expect(selector.offered).to.equal(N);
    expect(selector.maxHeld).to.equal(limit + 1);
    expect(page.items).to.have.length(limit);
    expect(page.continue).to.be.a('string');
    // Newest first: the BLOCK records (report(i) is ALLOW when i % 3 === 0)
    // in descending time order, which the permutation makes computable.
    const inverse = new Map<number, number>();
    for (let i = 0; i < N; i += 1) inverse.set(slot(i), i);
    const expected: string[] = [];
    for (let s = N - 1; expected.length < limit; s -= 1) {
      const i = inverse.get(s)!;
      if (i % 3 !== 0) expected.push(`req-${i}`);
    }
    expect(page.items.map((r) => r.request_id)).to.deep.equal(expected);
  });

  it('queryAudit equals queryAuditRecords over the parsed records and skips unparseable lines', async () => {
    const sink = createMemoryAuditSink('pod-a');
    for (let n = 1; n <= 30; n += 1) await sink.append(report(n));
    sink.lines.splice(5, 0, '{"torn":', '', 'null');
    const q = { decision: 'BLOCK' as const, limit: 4 };
    const first = await queryAudit(sink, q);
    expect(first).to.deep.equal(queryAuditRecords(sink.records, q));
    const second = await queryAudit(sink, { ...q, continue: first.continue! });
    expect(second).to.deep.equal(queryAuditRecords(sink.records, { ...q, continue: first.continue! }));
    expect(second.items.map((r) => r.seq)).to.deep.equal([23, 22, 20, 19]);
  });

  it('refuses a bad query before reading the sink', async () => {
    const sink = generatedSink(1, line, () => {
      throw new Error('must not read');
    });
    await queryAudit(sink, { limit: 0 }).then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e.message).to.match(/limit must be/),
    );
  });

  it('finds every record of a (reused) request id, keeping at most `max` and counting the rest', async () => {
    const sink = generatedSink(
      5000,
      (i) => line(i, i % 1000 === 7 ? 'req-7' : `req-${i}`),
      () => undefined,
    );
    const found = await findAuditRecords(sink, 'req-7', 3);
    expect(found.total).to.equal(5);
    expect(found.records.map((r) => r.seq)).to.deep.equal([8, 1008, 2008]);
    expect(await findAuditRecords(sink, 'req-no-such', 3)).to.deep.equal({ records: [], total: 0 });
  });

  it('verifies chains and hands each parsed record to onRecord during the same walk', async () => {
    const sink = createMemoryAuditSink('pod-a');
    for (let n = 1; n <= 12; n += 1) await sink.append(report(n));
    sink.lines.splice(3, 0, 'not json');
    const records: StoredRecord[] = [];
    const watched: AuditSink = {
      ...sink,
      kind: 'memory',
      append: (r) => sink.append(r),
      health: () => sink.health(),
      close: () => sink.close(),
      readRaw: async function* () {
        let i = 0;
        for await (const e of sink.readRaw()) {
          // Line 4 is the unparseable one: onRecord skips it.
          if (records.length !== (i > 3 ? i - 1 : i)) throw new Error(`line ${i} read ahead`);
          yield e;
          i += 1;
        }
      },
    };
    const v = await verifyAudit(watched, (r) => records.push(r));
    expect(v).to.deep.equal({ ...(await verifyChains(sink.readRaw())), sink: 'memory' });
    expect(v.first_bad).to.include({ location: 'memory:4' });
    expect(records).to.deep.equal(sink.records);
  });
});
