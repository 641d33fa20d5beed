// What the UI pages show from the audit log: overview (chain status, counts,
// the newest decisions in the audit log's order, all from the last walk of
// the log and dated), the audit page's chain line and live paging, a
// decision page for a request id that names several records; and how often
// the pages walk the log (counted on the sink), stale results, failed walks.
import { expect } from 'chai';
import type { DecisionReport } from '../../src/core/contracts/report.js';
import { startGate, TEST_TOKEN, type RunningGate } from '../support/gate-harness.js';
import { CountingAuditSink } from '../support/counting-audit-sink.js';
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
  [...page.matchAll(/<tr data-decision="(ALLOW|BLOCK)"><td class="mono">([^<]+)<\/td>/g)].map((m) => ({
    decision: m[1]!,
    timestamp: m[2]!,
  }));

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
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TEST_TOKEN, next: '/' }).toString(),
    });
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  });
  after(async () => {
    await gate.stop();
  });

  const get = async (p: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${gate.url}${p}`, { headers: { cookie } });
    return { status: res.status, text: await res.text() };
  };

  it('overview: the 15 newest decisions newest first, hour and day counts, the chain status', async () => {
    const { status, text } = await get('/');
    expect(status).to.equal(200);
    expect(rows(text)).to.deep.equal(
      newestFirst.slice(0, 15).map((r) => ({ decision: r.decision, timestamp: r.timestamp })),
    );
    const count = (ms: number, d: string): number =>
      reports.filter((r) => Date.parse(r.timestamp) >= NOW - ms && r.decision === d).length;
    const cell = (name: string): number => Number(new RegExp(`data-count="${name}">(\\d+)<`).exec(text)![1]);
    expect(cell('allow-1h')).to.equal(count(60 * MIN, 'ALLOW'));
    expect(cell('block-1h')).to.equal(count(60 * MIN, 'BLOCK'));
    expect(cell('allow-24h')).to.equal(count(24 * 60 * MIN, 'ALLOW'));
    expect(cell('block-24h')).to.equal(count(24 * 60 * MIN, 'BLOCK'));
    expect(cell('block-1h')).to.be.greaterThan(0);
    expect(cell('allow-24h')).to.be.greaterThan(cell('allow-1h'));
    expect(text).to.match(/chain: <span class="status-ok" data-chain="intact">intact<\/span>, 40 records/);
    // Dated: the chain line, the counts and the recent list say when the walk was.
    // Chain, counts, recent decisions and the activity charts: each says when its walk was.
    expect(text.match(/checked 0 s ago, as of <time datetime="2026-03-01T12:00:00.000Z">/g)).to.have.length(
      4,
    );
  });

  it('audit page: chain line and one page with a link to the next', async () => {
    const first = await get('/ui/audit?limit=5&decision=BLOCK');
    expect(first.status).to.equal(200);
    expect(first.text).to.match(
      /Chain: <span class="status-ok" data-chain="intact">intact<\/span>, 40 records across 1 writer\(s\) · <span class="muted as-of" data-as-of="2026-03-01T12:00:00.000Z">checked 0 s ago/,
    );
    const blocks = newestFirst.filter((r) => r.decision === 'BLOCK');
    expect(rows(first.text).map((r) => r.timestamp)).to.deep.equal(
      blocks.slice(0, 5).map((r) => r.timestamp),
    );
    const next = /href="(\/ui\/audit\?[^"]+)" rel="next"/.exec(first.text)![1]!.replaceAll('&amp;', '&');
    const second = await get(next);
    expect(rows(second.text).map((r) => r.timestamp)).to.deep.equal(
      blocks.slice(5, 10).map((r) => r.timestamp),
    );
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

async function login(gate: RunningGate): Promise<string> {
  const res = await fetch(`${gate.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TEST_TOKEN, next: '/' }).toString(),
  });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** Waits (a bounded number of short turns) until `done()`; asserts nothing about time. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !done(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(done(), what).to.equal(true);
}

describe('status page and UI: how often the audit log is walked', () => {
  let gate: RunningGate;
  let cookie: string;
  let sink: CountingAuditSink;
  let readsBeforeStart = 0;
  let now = NOW;

  before(async () => {
    sink = new CountingAuditSink('test-writer');
    for (let i = 0; i < 40; i += 1) await sink.append(decision(i));
    readsBeforeStart = sink.reads;
    gate = await startGate({}, { auditSink: sink, clock: { now: () => new Date(now) } });
    cookie = await login(gate);
  });
  after(async () => {
    await gate.stop();
  });

  const get = async (p: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${gate.url}${p}`, { headers: { cookie } });
    return { status: res.status, text: await res.text() };
  };
  const section = (page: string, id: string): string =>
    new RegExp(`<section class="card" id="${id}">([\\s\\S]*?)</section>`).exec(page)![1]!;

  it('many views of the overview cost one walk; the audit page reads only its live page', async () => {
    // The walk a start makes (it restores alerts from the store) is the one the views share;
    // the start also reads the log once to build its Merkle trees (issue 16).
    const before = readsBeforeStart + 1;
    const views = await Promise.all(Array.from({ length: 8 }, () => get('/')));
    for (let i = 0; i < 5; i += 1) views.push(await get('/'));
    expect(sink.reads - before).to.equal(1);
    for (const v of views) expect(v.text).to.contain('data-chain="intact"').and.contain('40 records');
    const audit = await get('/ui/audit?limit=5');
    expect(sink.reads - before, 'the listing is a live query; the chain line is not').to.equal(2);
    expect(audit.text)
      .to.contain('40 records across 1 writer(s)')
      .and.contain(`data-as-of="${new Date(NOW).toISOString()}"`);
  });

  it('shows a stale result with its age at once, and one background walk brings the new record', async () => {
    const fresh: DecisionReport = {
      ...decision(1),
      request_id: 'req-new',
      timestamp: new Date(NOW + 30_000).toISOString(),
      decision: 'ALLOW',
      reasons: [],
      steps: [{ step: 'hash', status: 'pass' }],
    };
    await sink.append(fresh);
    now = NOW + 61_000;
    const before = sink.reads;
    const stale = await get('/');
    expect(stale.text)
      .to.contain('40 records')
      .and.contain('checked 61 s ago')
      .and.contain('rechecking')
      .and.not.contain('req-new');
    await gate.app.auditSnapshots.idle();
    expect(sink.reads - before).to.equal(1);
    const after = await get('/');
    expect(after.text).to.match(/data-chain="intact">intact<\/span>, 41 records/);
    expect(after.text)
      .to.contain(`data-as-of="${new Date(now).toISOString()}"`)
      .and.contain('checked 0 s ago')
      .and.not.contain('rechecking');
    expect(after.text).to.contain('/ui/decisions/req-new');
    expect(sink.reads - before).to.equal(1);
  });

  it('shows a failed walk as a failure, never as intact, and the next view retries', async () => {
    const goodAt = new Date(now).toISOString();
    // Two: the walk a stale view starts, and the retry the next view starts.
    sink.failReads(2);
    now += 61_000;
    expect((await get('/')).text, 'the stale answer that starts the failing walk')
      .to.contain('data-chain="intact"')
      .and.contain('rechecking');
    await gate.app.auditSnapshots.idle();
    const failed = await get('/');
    expect(failed.status).to.equal(200);
    expect(failed.text).to.not.contain('intact');
    expect(section(failed.text, 'audit'))
      .to.contain('data-chain="unverified">not verified</span>')
      .and.contain('could not read the log: the audit log could not be read; see the gate log');
    expect(failed.text, 'the raw error (it names a path) stays in the log').to.not.contain('EACCES');
    // The counts are those of the last walk that completed, dated as such.
    expect(section(failed.text, 'counts')).to.contain(`data-as-of="${goodAt}"`);
    await gate.app.auditSnapshots.idle();
    // Its view answers with the failed retry and starts the next one (which reads fine).
    const auditPage = await get('/ui/audit');
    expect(auditPage.text)
      .to.contain('Chain: <span class="status-bad" data-chain="unverified">not verified</span>')
      .and.not.contain('intact');
    await gate.app.auditSnapshots.idle();
    const recovered = await get('/');
    expect(recovered.text).to.contain('data-chain="intact"').and.not.contain('not verified');
  });

  it('GET /api/v1/audit/verify: parallel calls share at most two walks, and a call after a page view walks again', async () => {
    const snapshots = gate.app.auditSnapshots;
    const verify = snapshots.verify.bind(snapshots);
    let calls = 0;
    snapshots.verify = () => {
      calls += 1;
      return verify();
    };
    try {
      await snapshots.idle();
      const before = sink.reads;
      const release = sink.hold();
      const responses = Array.from({ length: 10 }, () =>
        fetch(`${gate.url}/api/v1/audit/verify`, { headers: gate.auth }),
      );
      await until(() => calls === 10, 'all ten calls reached the route');
      release();
      const bodies = await Promise.all(
        (await Promise.all(responses)).map(async (r) => ({
          status: r.status,
          body: (await r.json()) as Record<string, unknown>,
        })),
      );
      // The first call's walk, then one walk (started after it) shared by the nine that came during it.
      expect(sink.reads - before).to.equal(2);
      for (const b of bodies) expect(b).to.deep.equal({ status: 200, body: bodies[0]!.body });
      expect(bodies[0]!.body).to.include({ ok: true, records: 41 });
      // The pages' result is fresh, but verify is a walk of its own and sees what was just written.
      await get('/');
      await sink.append({ ...decision(2), request_id: 'req-newer' });
      const again = await fetch(`${gate.url}/api/v1/audit/verify`, { headers: gate.auth });
      expect(await again.json()).to.include({ ok: true, records: 42 });
      expect(sink.reads - before).to.equal(3);
    } finally {
      snapshots.verify = verify;
    }
  });
});

describe('status page and UI: an audit log that cannot be read from the start', () => {
  let gate: RunningGate;
  let sink: CountingAuditSink;
  before(async () => {
    sink = new CountingAuditSink('test-writer');
    for (let i = 0; i < 5; i += 1) await sink.append(decision(i));
    // The read that builds the Merkle trees and the walk a start makes (it restores alerts) fail, and so does the first view's retry.
    sink.failReads(3);
    gate = await startGate({}, { auditSink: sink, clock: { now: () => new Date(NOW) } });
    await gate.app.auditSnapshots.idle();
  });
  after(async () => {
    await gate.stop();
  });

  it('claims no chain status, counts or recent decisions until a walk completes', async () => {
    const cookie = await login(gate);
    const text = await (await fetch(`${gate.url}/`, { headers: { cookie } })).text();
    expect(text).to.contain('data-chain="unverified">not verified</span>').and.not.contain('intact');
    expect(text).to.not.contain('data-count=').and.not.contain('<tr data-decision=');
    expect(text.match(/unavailable: no walk of the audit log has completed/g)).to.have.length(3);
    await gate.app.auditSnapshots.idle();
    const retried = await (await fetch(`${gate.url}/`, { headers: { cookie } })).text();
    // This view answered at once with the failure and started the retry.
    expect(retried).to.contain('not verified').and.contain('rechecking');
    await gate.app.auditSnapshots.idle();
    const ok = await (await fetch(`${gate.url}/`, { headers: { cookie } })).text();
    expect(ok).to.match(/data-chain="intact">intact<\/span>, 5 records/);
    expect(sink.reads).to.equal(4);
  });
});
