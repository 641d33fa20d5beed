// The behaviour every durable audit sink shares (file, ConfigMap,
// PostgreSQL), as one suite each sink's test file runs against its own
// store. Sink-specific behaviour (torn tails, 409s, triggers) stays in the
// sink's own tests; what is here must hold for all of them, with the same
// assertions, so a new store cannot quietly mean something else by "append".
import { expect } from 'chai';
import { verifyChains } from '../../src/core/audit-record.js';
import { queryAuditRecords, type AuditQuery } from '../../src/core/audit-query.js';
import type { AuditRecord } from '../../src/core/contracts/audit.js';
import type { DecisionReport } from '../../src/core/contracts/report.js';
import type { AlertEvent } from '../../src/core/contracts/alert.js';
import type { AuditSink, RawAuditEntry } from '../../src/core/ports/audit.js';
import { auditRecords, findAuditRecords, queryAudit } from '../../src/services/audit/read-audit.js';
import { report } from '../unit/audit/report-fixture.js';
import { rejection } from './rejection.js';

export interface SinkUnderTest {
  /** Opens a sink for `writer` on the suite's current store (the same store across calls until `reset`). */
  open(writer: string, tuning?: { maxPending?: number }): Promise<AuditSink>;
  /** A fresh, empty store. */
  reset(): Promise<void>;
  /** Rewrites the stored text of one record behind the sink's back (as an attacker with store access would). */
  tamper(writer: string, seq: number, edit: (line: string) => string): Promise<void>;
  /** Whether two live sinks may write one store at once (false for the one-process file). */
  sharedByWriters: boolean;
}

async function collect(it: AsyncIterable<RawAuditEntry>): Promise<RawAuditEntry[]> {
  const out: RawAuditEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** Every page of a query, followed through its continue tokens. */
async function allPages(
  read: (q: AuditQuery) => Promise<{ items: AuditRecord[]; continue?: string }>,
  q: AuditQuery,
): Promise<string[]> {
  const seen: string[] = [];
  let cont: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await read({ ...q, ...(cont ? { continue: cont } : {}) });
    seen.push(...page.items.map((r) => `${r.writer}/${r.seq}`));
    cont = page.continue;
    if (!cont) return seen;
  }
  throw new Error('paging did not end');
}

export function auditSinkContract(name: string, subject: SinkUnderTest): void {
  describe(`audit sink contract: ${name}`, () => {
    const open: AuditSink[] = [];
    const sink = async (writer = 'pod-a', tuning?: { maxPending?: number }): Promise<AuditSink> => {
      const s = await subject.open(writer, tuning);
      open.push(s);
      return s;
    };
    beforeEach(() => subject.reset());
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
    });

    it('acknowledges chained records whose stored text is exactly the record, and they verify', async () => {
      const s = await sink();
      const acked = [await s.append(report(1)), await s.append(report(2)), await s.append(report(3))];
      expect(acked.map((r) => [r.writer, r.seq])).to.deep.equal([
        ['pod-a', 1],
        ['pod-a', 2],
        ['pod-a', 3],
      ]);
      const stored = await collect(s.readRaw());
      // The same canonical bytes in every sink: one JSON line per record.
      expect(stored.map((e) => e.text)).to.deep.equal(acked.map((r) => JSON.stringify(r)));
      expect(new Set(stored.map((e) => e.location)).size).to.equal(3);
      expect(await verifyChains(stored)).to.deep.include({ ok: true, records: 3 });
      expect(s.health().ok).to.equal(true);
    });

    it('group-commits 100 concurrent appends: distinct consecutive seqs, one intact chain', async () => {
      const s = await sink();
      const acked = await Promise.all(Array.from({ length: 100 }, (_, i) => s.append(report(i + 1))));
      expect(acked.map((r) => r.seq).sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      expect(await verifyChains(s.readRaw())).to.deep.include({ ok: true, records: 100 });
    });

    it('resumes its chain after close and reopen', async () => {
      const first = await sink();
      await first.append(report(1));
      await first.append(report(2));
      await first.close();
      const second = await sink();
      expect((await second.append(report(3))).seq).to.equal(3);
      const v = await verifyChains(second.readRaw());
      expect(v).to.deep.include({ ok: true, records: 3 });
      expect(v.writers).to.deep.equal([
        { writer: 'pod-a', records: 3, last_seq: 3, head: v.writers[0]!.head },
      ]);
    });

    if (subject.sharedByWriters) {
      it('several writers at once on one store: one chain each, all verify', async () => {
        const writers = await Promise.all(['pod-a', 'pod-b', 'pod-c'].map((w) => sink(w)));
        await Promise.all(
          writers.flatMap((s, w) => Array.from({ length: 30 }, (_, i) => s.append(report(w * 100 + i)))),
        );
        const v = await verifyChains(writers[0]!.readRaw());
        expect(v.ok).to.equal(true);
        expect(v.writers.map((x) => [x.writer, x.records, x.last_seq])).to.deep.equal([
          ['pod-a', 30, 30],
          ['pod-b', 30, 30],
          ['pod-c', 30, 30],
        ]);
      });
    }

    it('close() makes queued appends durable, then refuses new ones', async () => {
      const s = await sink();
      const pending = [s.append(report(1)), s.append(report(2))];
      await s.close();
      expect((await Promise.all(pending)).map((r) => r.seq)).to.deep.equal([1, 2]);
      expect((await rejection(s.append(report(3)))).code).to.equal('audit-unavailable');
      const reopened = await sink();
      expect(await verifyChains(reopened.readRaw())).to.deep.include({ ok: true, records: 2 });
    });

    it('rejects a malformed report alone, not the batch it would have joined', async () => {
      const s = await sink();
      const good = s.append(report(1));
      const bad = rejection(s.append({ ...report(2), decision: 'MAYBE' } as unknown as DecisionReport));
      expect((await good).seq).to.equal(1);
      expect((await bad).message).to.match(/malformed report/);
    });

    it('rejects at once when its queue is full', async () => {
      const s = await sink('pod-a', { maxPending: 2 });
      const ps = [s.append(report(1)), s.append(report(2))];
      expect((await rejection(s.append(report(3)))).code).to.equal('audit-unavailable');
      await Promise.all(ps);
    });

    it('a record rewritten in the store is named by verification', async () => {
      const s = await sink();
      for (let i = 1; i <= 3; i++) await s.append(report(i));
      await subject.tamper('pod-a', 2, (line) => line.replace('"decision":"BLOCK"', '"decision":"ALLOW"'));
      const v = await verifyChains(s.readRaw());
      expect(v.ok).to.equal(false);
      expect(v.first_bad).to.deep.include({ writer: 'pod-a', seq: 2 });
      expect(v.first_bad!.problem).to.match(/hash mismatch/);
    });

    it('alert transitions in the chain are not decisions: they never take a page slot, cut the paging short, or count in a lookup', async () => {
      const s = await sink();
      const alert = (i: number): AlertEvent => ({
        record_type: 'alert',
        event_id: `ev-${i}`,
        timestamp: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.500Z`,
        key: 'policy-load',
        transition: 'fire',
        kind: 'policy-load',
        severity: 'high',
        message: 'm',
        request_id: 'req-alerted',
      });
      for (let i = 1; i <= 12; i++) {
        await s.append(report(i, i === 3 ? { request_id: 'req-alerted' } : {}));
        // Two alerts after every decision: a page of 3 rows holds at most one decision.
        await s.append(alert(2 * i));
        await s.append(alert(2 * i + 1));
      }
      const pages: number[] = [];
      const seen: number[] = [];
      let cont: string | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const page = await queryAudit(s, { limit: 2, ...(cont ? { continue: cont } : {}) });
        pages.push(page.items.length);
        seen.push(...page.items.map((r) => r.seq));
        cont = page.continue;
        if (!cont) break;
      }
      expect(seen.length).to.equal(12);
      expect(pages.slice(0, -1).every((n) => n === 2)).to.equal(true);
      expect(await findAuditRecords(s, 'req-alerted', 10)).to.deep.include({ total: 1 });
    });

    it('the audit page and the request-id lookup equal a scan of the stored records, for every filter and page', async () => {
      const writers = subject.sharedByWriters
        ? await Promise.all(['w-b', 'w-a'].map((w) => sink(w)))
        : [await sink('w-a')];
      const same = '2026-03-01T00:00:00.000Z';
      let n = 0;
      for (const s of writers) {
        for (let i = 0; i < 23; i++) {
          n += 1;
          // Equal timestamps across writers, a repeated request id, and a timestamp that does not parse.
          const timestamp = i % 5 === 0 ? same : i === 7 ? 'not-a-time' : undefined;
          await s.append(
            report(n, {
              ...(timestamp ? { timestamp } : {}),
              ...(i % 6 === 0 ? { request_id: 'req-dup' } : {}),
              // Findings of a rule (twice in one record, too) and the caller's correlation id, for those filters.
              ...(i % 4 === 1
                ? {
                    findings: [
                      { rule: 'secret:aws-key', severity: 'high', action: 'block', message: 'm' },
                      ...(i % 8 === 1
                        ? [
                            {
                              rule: 'secret:aws-key',
                              severity: 'high',
                              action: 'block',
                              message: 'n',
                            } as const,
                          ]
                        : []),
                    ] as DecisionReport['findings'],
                  }
                : {}),
              ...(i % 7 === 2 ? { correlation_id: 'corr-7' } : {}),
            }),
          );
        }
      }
      const reader = writers[0]!;
      const scanned: AuditRecord[] = [];
      // The scanning path, whatever indexes the sink has.
      for await (const r of auditRecords({
        kind: reader.kind,
        readRaw: () => reader.readRaw(),
      } as unknown as AuditSink))
        scanned.push(r);
      const queries: AuditQuery[] = [
        { limit: 7 },
        { scenario: 'T1', limit: 4 },
        { decision: 'ALLOW', limit: 3 },
        { app_id: 'app-2', limit: 5 },
        { since: '2026-01-01T00:00:10Z', limit: 6 },
        { scenario: 'T2', decision: 'BLOCK', app_id: 'app-1', limit: 2 },
        { rule: 'secret:aws-key', limit: 3 },
        { rule: 'secret:aws-key', decision: 'BLOCK', limit: 2 },
        { rule: 'no-such-rule', limit: 3 },
        { request_id: 'req-dup', limit: 2 },
        { request_id: 'corr-7', limit: 2 },
        { request_id: 'req-5', scenario: 'T2', limit: 2 },
        { limit: 500 },
      ];
      for (const q of queries) {
        const expected = await allPages(async (qq) => queryAuditRecords(scanned, qq), q);
        expect(await allPages((qq) => queryAudit(reader, qq), q), JSON.stringify(q)).to.deep.equal(expected);
      }
      const found = await findAuditRecords(reader, 'req-dup', 2);
      const all = scanned.filter((r) => r.request_id === 'req-dup');
      expect(found.total).to.equal(all.length);
      expect(found.records).to.deep.equal(all.slice(0, 2));
      expect(await findAuditRecords(reader, 'no-such-id', 5)).to.deep.equal({ records: [], total: 0 });
    });
  });
}
