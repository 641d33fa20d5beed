// What the UI pages show from the audit log, read in one streaming pass:
// overview (chain status, counts, the newest decisions in the audit log's
// order), the audit page's chain line and paging, and a decision page for a
// request id that names several records.
import { expect } from 'chai';
import type { DecisionReport } from '../../src/core/contracts/report.js';
import { startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { createMemoryAuditSink } from '../support/memory-audit-sink.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const MIN = 60_000;

// 40 decisions, 7 minutes apart, appended out of time order so the stored
// order is not the display order.
const AGES = Array.from({ length: 40 }, (_, i) => ((i * 17) % 40) * 7 * MIN);

function decision(i: number): DecisionReport {
  const blocked = i % 3 !== 0;
  return {
    request_id: i === 5 || i === 30 ? 'dup-id' : `req-${i}`,
    timestamp: new Date(NOW - AGES[i]!).toISOString(),
    scenario: 'T1',
    decision: blocked ? 'BLOCK' : 'ALLOW',
    subject: { app_id: `app-${i}`, env: 'prod' },
    steps: [{ step: 'hash', status: blocked ? 'fail' : 'pass' }],
    findings: [],
    reasons: blocked ? [`[rule-${i}] blocked`] : [],
    warnings: [],
  };
}

const rows = (page: string): { decision: string; timestamp: string }[] =>
  [...page.matchAll(/<tr data-decision="(ALLOW|BLOCK)"><td class="mono">([^<]+)<\/td>/g)].map((m) => ({ decision: m[1]!, timestamp: m[2]! }));

describe('status page and UI: audit views', () => {
  let gate: RunningGate;
  let cookie: string;
  const reports = Array.from({ length: 40 }, (_, i) => decision(i));
  const newestFirst = [...reports].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));

  before(async () => {
    const sink = createMemoryAuditSink('test-writer');
    for (const r of reports) await sink.append(r);
    gate = await startGate({}, { auditSink: sink, clock: { now: () => new Date(NOW) } });
    const res = await fetch(`${gate.url}/ui/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TEST_TOKEN, next: '/' }).toString(),
    });
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  });
  after(async () => { await gate.stop(); });

  const get = async (p: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${gate.url}${p}`, { headers: { cookie } });
    return { status: res.status, text: await res.text() };
  };

  it('overview: the 15 newest decisions newest first, hour and day counts, the chain status', async () => {
    const { status, text } = await get('/');
    expect(status).to.equal(200);
    expect(rows(text)).to.deep.equal(newestFirst.slice(0, 15).map((r) => ({ decision: r.decision, timestamp: r.timestamp })));
    const count = (ms: number, d: string): number => reports.filter((r) => Date.parse(r.timestamp) >= NOW - ms && r.decision === d).length;
    const cell = (name: string): number => Number(new RegExp(`data-count="${name}">(\\d+)<`).exec(text)![1]);
    expect(cell('allow-1h')).to.equal(count(60 * MIN, 'ALLOW'));
    expect(cell('block-1h')).to.equal(count(60 * MIN, 'BLOCK'));
    expect(cell('allow-24h')).to.equal(count(24 * 60 * MIN, 'ALLOW'));
    expect(cell('block-24h')).to.equal(count(24 * 60 * MIN, 'BLOCK'));
    expect(cell('block-1h')).to.be.greaterThan(0);
    expect(cell('allow-24h')).to.be.greaterThan(cell('allow-1h'));
    expect(text).to.match(/chain: <span class="status-ok">intact<\/span>, 40 records/);
  });

  it('audit page: chain line and one page with a link to the next', async () => {
    const first = await get('/ui/audit?limit=5&decision=BLOCK');
    expect(first.status).to.equal(200);
    expect(first.text).to.contain('intact').and.contain('40 records across 1 writer(s)');
    const blocks = newestFirst.filter((r) => r.decision === 'BLOCK');
    expect(rows(first.text).map((r) => r.timestamp)).to.deep.equal(blocks.slice(0, 5).map((r) => r.timestamp));
    const next = /href="(\/ui\/audit\?[^"]+)" rel="next"/.exec(first.text)![1]!.replaceAll('&amp;', '&');
    const second = await get(next);
    expect(rows(second.text).map((r) => r.timestamp)).to.deep.equal(blocks.slice(5, 10).map((r) => r.timestamp));
    expect((await get('/ui/audit?limit=999')).status).to.equal(400);
  });

  it('decision page: every record that carries the request id', async () => {
    const { status, text } = await get('/ui/decisions/dup-id');
    expect(status).to.equal(200);
    expect(text.match(/audit record: writer/g)).to.have.length(2);
    expect(text).to.contain('app-5').and.contain('app-30');
    expect((await get('/ui/decisions/req-7')).text.match(/audit record: writer/g)).to.have.length(1);
    expect((await get('/ui/decisions/req-nope')).status).to.equal(404);
  });
});
