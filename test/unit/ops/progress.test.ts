// Progress for long work: the CLI bar (bytes, rate, ETA; nothing when
// piped), the status page's activity tally, and the background
// verification views behind GET /api/v1/verifications/<id>.
import { expect } from 'chai';
import { progressBar, renderProgress } from '../../../src/cli/progress-bar.js';
import { ActivityTally } from '../../../src/core/activity.js';
import { BackgroundVerifications } from '../../../src/services/admission/verifications.js';
import type { AuditRecord } from '../../../src/core/contracts/audit.js';
import type { Evaluation } from '../../../src/core/contracts/report.js';

describe('CLI progress bar', () => {
  it('draws bytes, percentage, rate and ETA on a terminal, and clears itself', () => {
    const out: string[] = [];
    let t = 0;
    const bar = progressBar(
      { isTTY: true, columns: 100, write: (s) => out.push(s) },
      { label: 'verifying', total: 40 * 1024 * 1024, now: () => t },
    );
    t = 2000;
    bar.update(8 * 1024 * 1024);
    t = 2050; // inside the redraw interval: not drawn
    bar.update(9 * 1024 * 1024);
    t = 4000;
    bar.update(16 * 1024 * 1024);
    bar.finish();
    expect(out).to.have.length(3);
    const ESC = String.fromCharCode(27);
    expect(out[0]!.startsWith('\r') && out[0]!.endsWith(`${ESC}[K`)).to.equal(true);
    expect(out[0]!.slice(1, -3)).to.match(
      /^verifying \[#+-+\] 8\.0 MiB \/ 40\.0 MiB {2}20% {2}4\.0 MiB\/s {2}ETA 8 s$/,
    );
    expect(out[1]).to.contain('16.0 MiB / 40.0 MiB  40%  4.0 MiB/s  ETA 6 s');
    expect(out[2]).to.equal(`\r${ESC}[K`);
  });

  it('writes nothing at all when the stream is not a terminal (piped, redirected, CI)', () => {
    const out: string[] = [];
    const bar = progressBar({ isTTY: false, write: (s) => out.push(s) }, { label: 'verifying', total: 10 });
    bar.update(5);
    bar.update(10);
    bar.finish();
    expect(out).to.deep.equal([]);
  });

  it('without a total shows bytes and rate only; a total learned later is used', () => {
    expect(renderProgress({ label: 'uploading', done: 2048, elapsedMs: 1000, width: 80 })).to.equal(
      'uploading 2.0 KiB  2.0 KiB/s',
    );
    const out: string[] = [];
    let t = 0;
    const bar = progressBar({ isTTY: true, write: (s) => out.push(s) }, { label: 'uploading', now: () => t });
    t = 1000;
    bar.update(512, 1024);
    expect(out[0]).to.contain('512 B / 1.0 KiB  50%');
  });
});

describe('activity tally (status page charts)', () => {
  const rec = (
    ts: string,
    decision: 'ALLOW' | 'BLOCK',
    rules: string[],
    subject: AuditRecord['subject'],
  ): AuditRecord => ({
    request_id: ts,
    timestamp: ts,
    scenario: 'T1',
    decision,
    subject,
    steps: [],
    reasons: [],
    warnings: [],
    findings: rules.map((rule) => ({ rule, severity: 'critical', action: 'block', message: '' })),
    seq: 1,
    writer: 'w',
    prev_hash: '0'.repeat(64),
    hash: '0'.repeat(64),
  });

  it('buckets decisions by hour and ranks blocking rules, namespaces and apps; ignores what is outside the window', () => {
    const tally = new ActivityTally(new Date('2026-03-01T12:30:00Z'), { buckets: 24, bucketMs: 3600_000 });
    tally.offer(rec('2026-03-01T12:10:00Z', 'ALLOW', [], { app_id: 'orders', namespace: 'payments' }));
    tally.offer(
      rec('2026-03-01T12:20:00Z', 'BLOCK', ['prod-requires-tls', 'prod-requires-tls', 'no-public-bind'], {
        app_id: 'orders',
        namespace: 'payments',
      }),
    );
    tally.offer(rec('2026-03-01T11:59:59Z', 'BLOCK', ['prod-requires-tls'], { app_id: 'billing' }));
    tally.offer(rec('2026-02-27T00:00:00Z', 'BLOCK', ['old-rule'], { app_id: 'old' }));
    const a = tally.result();
    expect(a.buckets).to.have.length(24);
    expect(a.buckets.at(-1)).to.deep.equal({ start: '2026-03-01T12:00:00.000Z', allow: 1, block: 1 });
    expect(a.buckets.at(-2)).to.deep.equal({ start: '2026-03-01T11:00:00.000Z', allow: 0, block: 1 });
    expect(a.topRules).to.deep.equal([
      { name: 'prod-requires-tls', count: 2 },
      { name: 'no-public-bind', count: 1 },
    ]);
    expect(a.topNamespaces).to.deep.equal([{ name: 'payments', count: 2 }]);
    expect(a.topApps).to.deep.equal([
      { name: 'orders', count: 2 },
      { name: 'billing', count: 1 },
    ]);
  });
});

describe('background verification progress', () => {
  it('shows bytes done of the total, rate and ETA while running, and the decision once done, without claiming the result', async () => {
    let now = 1_000_000;
    const v = new BackgroundVerifications({ maxEntries: 2, resultTtlMs: 60_000, now: () => now });
    let report!: (p: { read: number; total?: number }) => void;
    let finish!: (e: Evaluation) => void;
    v.start(
      'k'.repeat(64),
      (onProgress) => {
        report = onProgress;
        return new Promise<Evaluation>((r) => {
          finish = r;
        });
      },
      'orders -> orders-new',
    );
    now += 10_000;
    report({ read: 250, total: 1000 });
    expect(v.view('k'.repeat(64))).to.deep.include({
      state: 'running',
      bytes_done: 250,
      bytes_total: 1000,
      rate: 25,
      eta_seconds: 30,
      label: 'orders -> orders-new',
    });
    finish({ scenario: 'T2', subject: {}, steps: [{ step: 'snapshot', status: 'fail' }], findings: [] });
    await new Promise((r) => setImmediate(r));
    expect(v.view('k'.repeat(64))).to.deep.include({ state: 'done', decision: 'BLOCK', bytes_done: 250 });
    expect(v.list()).to.have.length(1);
    // Viewing did not claim it: the retried apply still gets the result.
    expect(v.take('k'.repeat(64))?.state).to.equal('done');
  });
});
