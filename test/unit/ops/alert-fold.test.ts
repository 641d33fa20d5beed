// The alert fold (core/alert-state.ts) and book (services/alerts.ts): every
// replica must reach the same list from the same records in any order, an
// alert is deduplicated, an acknowledgement covers only the firing it was
// given for, and a restart neither re-fires nor forgets.
import { expect } from 'chai';
import { AlertFold } from '../../../src/core/alert-state.js';
import type { AlertEvent } from '../../../src/core/contracts/alert.js';
import { AlertBook } from '../../../src/services/alerts.js';
import type { DecisionReport } from '../../../src/core/contracts/report.js';

let n = 0;
function ev(over: Partial<AlertEvent> & Pick<AlertEvent, 'key' | 'transition' | 'timestamp'>): AlertEvent {
  n += 1;
  return {
    record_type: 'alert',
    event_id: `e${String(n).padStart(4, '0')}`,
    kind: 'policy-load',
    severity: 'high',
    message: 'm',
    ...over,
  };
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('alert fold', () => {
  it('comes to the same list whatever order the events are read in, and folding an event twice changes nothing', () => {
    const events = [
      ev({
        key: 'policy-load',
        transition: 'fire',
        timestamp: '2026-01-01T00:00:01Z',
        since: '2026-01-01T00:00:01Z',
      }),
      ev({
        key: 'policy-load',
        transition: 'acknowledge',
        timestamp: '2026-01-01T00:00:02Z',
        by: 'alice',
        why: 'on it',
      }),
      ev({
        key: 'audit-chain',
        kind: 'audit-chain',
        severity: 'critical',
        transition: 'fire',
        timestamp: '2026-01-01T00:00:03Z',
        since: '2026-01-01T00:00:03Z',
      }),
      ev({
        key: 'policy-load',
        transition: 'resolve',
        timestamp: '2026-01-01T00:00:04Z',
        since: '2026-01-01T00:00:01Z',
      }),
      ev({
        key: 'policy-load',
        transition: 'fire',
        timestamp: '2026-01-01T00:00:05Z',
        since: '2026-01-01T00:00:05Z',
      }),
    ];
    const lists = permutations(events).map((order) => {
      const fold = new AlertFold();
      for (const e of [...order, ...order]) fold.add(e);
      return JSON.stringify(fold.list());
    });
    expect(new Set(lists).size).to.equal(1);
    const fold = new AlertFold();
    for (const e of events) fold.add(e);
    const list = fold.list();
    expect(list.map((a) => [a.key, a.status])).to.deep.equal([
      ['audit-chain', 'firing'],
      ['policy-load', 'firing'],
    ]);
    // Fired again after a resolve: the old acknowledgement does not cover the new firing.
    expect(list[1]!.acknowledged).to.equal(undefined);
    expect(list[1]!.since).to.equal('2026-01-01T00:00:05Z');
  });

  it('an acknowledgement of the current firing is kept; an acknowledgement read before its fire still applies', () => {
    const fire = ev({
      key: 'k',
      transition: 'fire',
      timestamp: '2026-01-01T00:00:01Z',
      since: '2026-01-01T00:00:01Z',
    });
    const ack = ev({
      key: 'k',
      transition: 'acknowledge',
      timestamp: '2026-01-01T00:00:02Z',
      by: 'bob',
      why: 'known',
    });
    for (const order of [
      [fire, ack],
      [ack, fire],
    ]) {
      const fold = new AlertFold();
      for (const e of order) fold.add(e);
      expect(fold.get('k')?.acknowledged).to.deep.equal({
        by: 'bob',
        at: '2026-01-01T00:00:02Z',
        why: 'known',
      });
    }
  });
});

describe('alert book', () => {
  const clock = { now: () => new Date('2026-01-01T00:00:00Z') };

  it('a condition that keeps holding is one alert and one transition; a severity change is a new transition, same since', async () => {
    const written: AlertEvent[] = [];
    const book = new AlertBook({
      clock,
      journal: async (e) => {
        written.push(e);
      },
    });
    book.prime();
    const cond = {
      timestamp: '',
      severity: 'high' as const,
      kind: 'cert-expiry' as const,
      message: 'expires in 10 days',
    };
    for (let i = 0; i < 5; i++) book.setCondition('cert-expiry', cond);
    book.setCondition('cert-expiry', { ...cond, severity: 'critical', message: 'expired' });
    await book.flush();
    expect(written.map((e) => [e.transition, e.severity])).to.deep.equal([
      ['fire', 'high'],
      ['fire', 'critical'],
    ]);
    expect(book.list()).to.have.length(1);
    expect(written[1]!.since).to.equal(written[0]!.since);
    book.setCondition('cert-expiry', undefined);
    book.setCondition('cert-expiry', undefined);
    await book.flush();
    expect(written.map((e) => e.transition)).to.deep.equal(['fire', 'fire', 'resolve']);
    expect(book.list()).to.deep.equal([]);
  });

  it('before the first walk conditions are held (shown, not written); priming compares them with what the store says', async () => {
    const written: AlertEvent[] = [];
    const book = new AlertBook({
      clock,
      writer: 'pod-a',
      journal: async (e) => {
        written.push(e);
      },
    });
    book.setCondition('policy-load', {
      timestamp: '2026-01-01T00:00:00Z',
      severity: 'high',
      kind: 'policy-load',
      message: 'broken',
    });
    book.setCondition('key-load', undefined, 'key-load');
    expect(book.list().map((a) => a.key)).to.deep.equal(['policy-load']);
    expect(written).to.deep.equal([]);
    // The store already had policy-load firing (before a restart) and key-load firing (fixed while down).
    book.ingest(
      ev({
        key: 'policy-load',
        transition: 'fire',
        timestamp: '2025-12-31T00:00:00Z',
        since: '2025-12-31T00:00:00Z',
      }),
    );
    book.ingest(
      ev({
        key: 'key-load',
        kind: 'key-load',
        transition: 'fire',
        timestamp: '2025-12-31T00:00:00Z',
        since: '2025-12-31T00:00:00Z',
      }),
    );
    book.prime();
    await book.flush();
    expect(written.map((e) => [e.key, e.transition])).to.deep.equal([['key-load', 'resolve']]);
    expect(book.get('policy-load')?.since).to.equal('2025-12-31T00:00:00Z');
  });

  it('keeps transitions the store refused, in order, and writes them once it takes writes again', async () => {
    let failing = true;
    const written: AlertEvent[] = [];
    const book = new AlertBook({
      clock,
      writer: 'pod-a',
      journal: async (e) => {
        if (failing) throw new Error('down');
        written.push(e);
      },
    });
    book.prime();
    book.setCondition('audit-sink', {
      timestamp: '',
      severity: 'critical',
      kind: 'audit-sink',
      message: 'down',
    });
    await book.flush();
    expect(book.list().map((a) => a.key)).to.deep.equal(['audit-sink/pod-a']);
    book.setCondition('audit-sink', undefined, 'audit-sink');
    expect(book.pending).to.equal(2);
    failing = false;
    await book.flush();
    expect(written.map((e) => [e.key, e.transition])).to.deep.equal([
      ['audit-sink/pod-a', 'fire'],
      ['audit-sink/pod-a', 'resolve'],
    ]);
    expect(book.pending).to.equal(0);
  });

  it('an acknowledgement is written before it counts, and refused for an alert that is not firing', async () => {
    const written: AlertEvent[] = [];
    let fail = false;
    const book = new AlertBook({
      clock,
      journal: async (e) => {
        if (fail) throw new Error('down');
        written.push(e);
      },
    });
    book.prime();
    await book.acknowledge('nope', 'a', 'b').then(
      () => expect.fail('acknowledged a missing alert'),
      (e: Error) => expect(e.message).to.contain('no firing alert'),
    );
    book.setCondition('audit-chain', {
      timestamp: '',
      severity: 'critical',
      kind: 'audit-chain',
      message: 'broken',
    });
    fail = true;
    await book.acknowledge('audit-chain', 'alice', 'looking').then(
      () => expect.fail('acknowledged without writing'),
      () => undefined,
    );
    expect(book.get('audit-chain')?.acknowledged).to.equal(undefined);
    fail = false;
    const state = await book.acknowledge('audit-chain', 'alice', 'looking');
    expect(state.acknowledged).to.include({ by: 'alice', why: 'looking' });
    expect(written.at(-1)).to.include({ transition: 'acknowledge', by: 'alice', why: 'looking' });
  });

  it('only a tampered snapshot is an incident, keyed by its digest: ordinary BLOCKs and config findings are not alerts', () => {
    const book = new AlertBook({ clock });
    const base: DecisionReport = {
      request_id: 'r1',
      timestamp: '2026-01-01T00:00:00Z',
      scenario: 'T2',
      decision: 'BLOCK',
      subject: { snapshot_digest: 'sha256:ab', source_db: 's', target_db: 't' },
      steps: [],
      findings: [],
      reasons: [],
      warnings: [],
    };
    expect(
      book.fromDecision({
        ...base,
        findings: [{ rule: 't2-signature-required', severity: 'critical', action: 'block', message: 'x' }],
      }),
    ).to.equal(undefined);
    expect(
      book.fromDecision({
        ...base,
        scenario: 'T1',
        findings: [{ rule: 'config-hash-mismatch', severity: 'critical', action: 'block', message: 'x' }],
      }),
    ).to.equal(undefined);
    expect(
      book.fromDecision({
        ...base,
        decision: 'ALLOW',
        findings: [{ rule: 'snapshot-digest-mismatch', severity: 'critical', action: 'warn', message: 'x' }],
      }),
    ).to.equal(undefined);
    const tampered = {
      ...base,
      findings: [
        {
          rule: 'backup-file-checksum-mismatch',
          severity: 'critical' as const,
          action: 'block' as const,
          message: 'x',
        },
      ],
    };
    expect(book.fromDecision(tampered)?.key).to.equal('snapshot-integrity/sha256:ab');
    book.fromDecision({ ...tampered, request_id: 'r2' });
    expect(book.list()).to.have.length(1);
    expect(book.list()[0]).to.include({ kind: 'snapshot-integrity', severity: 'critical', request_id: 'r1' });
  });

  it("resolves a gone replica's per-replica alert once it has been silent 15 min, and nothing else", async () => {
    const written: AlertEvent[] = [];
    const book = new AlertBook({
      clock,
      writer: 'pod-a',
      journal: async (e) => {
        written.push(e);
      },
    });
    const fired = (key: string, kind: AlertEvent['kind'], since: string): AlertEvent =>
      ev({ key, kind, transition: 'fire', timestamp: since, since, reporter: key.split('/')[1] ?? 'pod-a' });
    book.ingest(fired('audit-sink/pod-gone', 'audit-sink', '2025-12-31T23:00:00Z'));
    book.ingest(fired('audit-sink/pod-alive', 'audit-sink', '2025-12-31T23:00:00Z'));
    book.ingest(fired('audit-sink/pod-new', 'audit-sink', '2025-12-31T23:58:00Z'));
    book.ingest(fired('audit-sink/pod-a', 'audit-sink', '2025-12-31T23:00:00Z'));
    book.ingest(fired('policy-load', 'policy-load', '2025-12-31T23:00:00Z'));
    book.prime();
    const lastWrite = new Map([
      ['pod-gone', '2025-12-31T23:40:00Z'], // 20 min ago
      ['pod-alive', '2025-12-31T23:59:00Z'], // 1 min ago
      ['pod-a', '2025-12-31T23:00:00Z'], // this replica: its own to resolve
    ]);
    book.resolveSilentReplicas(lastWrite, clock.now());
    await book.flush();
    expect(written.map((e) => [e.key, e.transition, e.by])).to.deep.equal([
      ['audit-sink/pod-gone', 'resolve', 'replica pod-a'],
    ]);
    expect(written[0]!.why).to.match(
      /pod-gone has written nothing to the audit store since 2025-12-31T23:40:00Z/,
    );
    // Still firing: a writer heard from a minute ago, one that fired 2 min ago (no record yet), this replica's own, and a cluster-wide kind.
    expect(
      book
        .list()
        .filter((a) => a.status === 'firing')
        .map((a) => a.key)
        .sort(),
    ).to.deep.equal(['audit-sink/pod-a', 'audit-sink/pod-alive', 'audit-sink/pod-new', 'policy-load']);
    // Walking again writes nothing more: the resolve is folded.
    book.resolveSilentReplicas(lastWrite, clock.now());
    await book.flush();
    expect(written).to.have.length(1);
  });
});
