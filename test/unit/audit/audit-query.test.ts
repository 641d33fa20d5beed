import { expect } from 'chai';
import { auditableReport, chainBatch, chainRecord, GENESIS_HEAD } from '../../../src/core/audit-record.js';
import {
  AuditQuerySchema,
  decodeContinue,
  encodeContinue,
  queryAuditRecords,
} from '../../../src/core/audit-query.js';
import type { AuditRecord } from '../../../src/core/contracts/audit.js';
import { GateError } from '../../../src/core/errors.js';
import { report } from './report-fixture.js';

// 20 records of one writer, one per second: report(n) is at second n.
const records: AuditRecord[] = chainBatch(
  Array.from({ length: 20 }, (_, i) => auditableReport(report(i + 1))),
  'pod-a',
  GENESIS_HEAD,
).records;

function badRequest(fn: () => unknown): GateError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(GateError);
    expect((e as GateError).code).to.equal('bad-request');
    return e as GateError;
  }
  throw new Error('expected a bad-request');
}

describe('queryAuditRecords', () => {
  it('returns newest first with the default limit and no token when everything fits', () => {
    const page = queryAuditRecords(records, {});
    expect(page.items.map((r) => r.seq)).to.deep.equal(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect(page).to.not.have.property('continue');
  });

  it('filters by scenario, decision, app_id and since', () => {
    const page = queryAuditRecords(records, {
      scenario: 'T1',
      decision: 'BLOCK',
      app_id: 'app-2',
      since: '2026-01-01T00:00:10Z',
    });
    expect(page.items.map((r) => r.seq)).to.deep.equal([14, 10]);
    const sinceOffset = queryAuditRecords(records, { since: '2026-01-01T01:00:18+01:00' });
    expect(sinceOffset.items.map((r) => r.seq)).to.deep.equal([20, 19, 18]);
  });

  it('pages with a continue token that stays stable when new records arrive', () => {
    const first = queryAuditRecords(records, { limit: 8 });
    expect(first.items.map((r) => r.seq)).to.deep.equal([20, 19, 18, 17, 16, 15, 14, 13]);
    expect(first.continue).to.be.a('string');
    const newer = chainRecord(report(30), 'pod-a', 21, records[19]!.hash);
    const second = queryAuditRecords([...records, newer], { limit: 8, continue: first.continue! });
    expect(second.items.map((r) => r.seq)).to.deep.equal([12, 11, 10, 9, 8, 7, 6, 5]);
    const third = queryAuditRecords([...records, newer], { limit: 8, continue: second.continue! });
    expect(third.items.map((r) => r.seq)).to.deep.equal([4, 3, 2, 1]);
    expect(third).to.not.have.property('continue');
  });

  it('orders records with the same timestamp by writer then seq, without losing any across pages', () => {
    const ts = '2026-02-01T00:00:00.000Z';
    const same = ['pod-b', 'pod-a'].flatMap(
      (w) =>
        chainBatch(
          [1, 2, 3].map((n) => auditableReport(report(n, { timestamp: ts }))),
          w,
          GENESIS_HEAD,
        ).records,
    );
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = queryAuditRecords(same, { limit: 2, ...(token ? { continue: token } : {}) });
      seen.push(...page.items.map((r) => `${r.writer}/${r.seq}`));
      token = page.continue;
    } while (token);
    expect(seen).to.deep.equal(['pod-a/3', 'pod-a/2', 'pod-a/1', 'pod-b/3', 'pod-b/2', 'pod-b/1']);
  });

  it('does not modify its input', () => {
    const copy = [...records];
    queryAuditRecords(records, { limit: 3 });
    expect(records).to.deep.equal(copy);
  });

  it('rejects a bad continue token or limit with bad-request', () => {
    badRequest(() => queryAuditRecords(records, { continue: 'not a token!' }));
    badRequest(() => queryAuditRecords(records, { continue: Buffer.from('{"x":1}').toString('base64url') }));
    badRequest(() => queryAuditRecords(records, { continue: Buffer.from('not json').toString('base64url') }));
    badRequest(() => queryAuditRecords(records, { limit: 501 }));
    badRequest(() => queryAuditRecords(records, { since: 'yesterday' }));
  });

  it('round-trips the cursor', () => {
    const cursor = { timestamp: '2026-01-01T00:00:00.000Z', writer: 'pod-a', seq: 3 };
    expect(decodeContinue(encodeContinue(cursor))).to.deep.equal(cursor);
    expect(encodeContinue(cursor)).to.match(/^[A-Za-z0-9_-]+$/);
  });
});

describe('AuditQuerySchema', () => {
  it('parses URL strings, applies the default limit and caps it', () => {
    expect(AuditQuerySchema.parse({ scenario: 'T2', limit: '20' })).to.deep.equal({
      scenario: 'T2',
      limit: 20,
    });
    expect(AuditQuerySchema.parse({})).to.deep.equal({ limit: 50 });
    expect(AuditQuerySchema.safeParse({ limit: '501' }).success).to.equal(false);
    expect(AuditQuerySchema.safeParse({ limit: '0' }).success).to.equal(false);
    expect(AuditQuerySchema.safeParse({ limit: 'ten' }).success).to.equal(false);
  });

  it('refuses unknown parameters and bad values', () => {
    expect(AuditQuerySchema.safeParse({ appid: 'x' }).success).to.equal(false);
    expect(AuditQuerySchema.safeParse({ decision: 'allow' }).success).to.equal(false);
    expect(AuditQuerySchema.safeParse({ since: '2026-13-01' }).success).to.equal(false);
    expect(AuditQuerySchema.parse({ since: '2026-01-01T00:00:00+02:00' }).since).to.equal(
      '2026-01-01T00:00:00+02:00',
    );
  });

  it('feeds queryAuditRecords directly', () => {
    const q = AuditQuerySchema.parse({ decision: 'ALLOW', limit: '2' });
    expect(queryAuditRecords(records, q).items.map((r) => r.seq)).to.deep.equal([18, 15]);
  });
});
