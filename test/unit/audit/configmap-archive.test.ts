// Bounded etcd on the ConfigMap sink (apiserver fake): the per-writer cap on
// live segments with its alert state, and the archiver that exports sealed
// segments to a directory and only then deletes them; verification of the
// live store and of archive + live still holds.
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archivedEntries, directoryArchive } from '../../../src/adapters/audit/archive-dir.js';
import type { ArchiveTarget } from '../../../src/core/audit-archive.js';
import { LEDGER_NAME, readLedger } from '../../../src/adapters/audit/archive-ledger.js';
import { archiveSealedSegments } from '../../../src/adapters/audit/configmap-archiver.js';
import {
  openConfigMapAuditSink,
  segmentWarnAt,
  type SegmentState,
} from '../../../src/adapters/audit/configmap-sink.js';
import { verifyChains } from '../../../src/core/audit-record.js';
import type { AuditSink, RawAuditEntry } from '../../../src/core/ports/audit.js';
import type { Logger } from '../../../src/core/ports/runtime.js';
import { verifyAudit } from '../../../src/services/audit/read-audit.js';
import { FakeConfigMapStore } from './configmap-fake-store.js';
import { report } from './report-fixture.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const SEG = (n: number, w = 'pod-a') => `migration-gate-audit-${w}-${String(n).padStart(6, '0')}`;

async function* concat(...its: AsyncIterable<RawAuditEntry>[]): AsyncGenerator<RawAuditEntry> {
  for (const it of its) yield* it;
}

describe('bounded etcd: segment cap, alert and archiver (apiserver fake)', () => {
  let store: FakeConfigMapStore;
  let dir: string;
  const sinks: AuditSink[] = [];
  const states: SegmentState[] = [];
  const open = async (cap = 0, writer = 'pod-a'): Promise<AuditSink> => {
    const s = await openConfigMapAuditSink({
      store,
      writer,
      lingerMs: 0,
      retryBaseMs: 1,
      random: () => 0.5,
      segmentMaxBytes: 2048,
      maxLiveSegments: cap,
      onSegments: (x) => states.push(x),
    });
    sinks.push(s);
    return s;
  };
  const archive = (targets: ArchiveTarget[] = [directoryArchive(dir)]) =>
    archiveSealedSegments({ store, targets, clock: () => new Date('2026-02-01T00:00:00Z'), logger: silent });
  const liveNames = () => [...store.objects.keys()].filter((n) => n !== LEDGER_NAME).sort();

  beforeEach(async () => {
    store = new FakeConfigMapStore();
    dir = await mkdtemp(join(tmpdir(), 'mg-archive-'));
    states.length = 0;
  });
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('warns from 80 % of the cap and refuses (fails closed) to create a segment past it', async () => {
    expect([segmentWarnAt(0), segmentWarnAt(4), segmentWarnAt(10), segmentWarnAt(1)]).to.deep.equal([
      0, 3, 8, 1,
    ]);
    const sink = await open(4);
    let n = 0;
    let refused: Error | undefined;
    while (!refused && n < 200) {
      n += 1;
      refused = await sink.append(report(n)).then(
        () => undefined,
        (e: Error) => e,
      );
    }
    expect(refused, 'the cap was never reached').to.not.equal(undefined);
    expect(refused!.message).to.match(
      /has 4 live segments, its cap \(GATE_AUDIT_MAX_SEGMENTS=4\).*migration-gate audit archive/,
    );
    expect(liveNames()).to.have.length(4);
    expect(sink.health().ok).to.equal(false);
    const seen = states.map((s) => s.live);
    expect(seen).to.include(3); // the warning level was reported before the cap
    expect(states.at(-1)).to.deep.include({ writer: 'pod-a', live: 4, cap: 4, warnAt: 3 });
    // Everything acknowledged is still there and verifies.
    expect(await verifyChains(sink.readRaw())).to.deep.include({ ok: true, records: n - 1 });
  });

  it('the archiver exports sealed segments (not the newest), then deletes them; writing resumes under the cap; every verification holds', async () => {
    const sink = await open(4);
    let n = 0;
    while (
      await sink.append(report(n + 1)).then(
        () => true,
        () => false,
      )
    )
      n += 1;
    const before = liveNames();
    const run = await archive();
    expect(run.problems).to.deep.equal([]);
    expect(run.archived).to.deep.equal(before.slice(0, -1));
    expect(liveNames()).to.deep.equal([before.at(-1)]);
    // The archive holds exactly the segments' text, with what covers each (chain link in, head out, digest).
    const files = (await readdir(join(dir, 'pod-a'))).sort();
    expect(files).to.deep.equal(
      before.slice(0, -1).flatMap((name) => [`${name}.jsonl`, `${name}.meta.json`]),
    );
    const meta = JSON.parse(await readFile(join(dir, 'pod-a', `${SEG(2)}.meta.json`), 'utf8')) as {
      previous: { seq: number };
      last: { seq: number };
      sha256: string;
    };
    expect(meta.previous.seq).to.be.greaterThan(0);
    expect(meta.last.seq).to.be.greaterThan(meta.previous.seq);
    expect((await readLedger(store)).entries.get('pod-a')).to.deep.include({ segment: 3 });
    // The gate writes again (the sink recounts), and its live verification starts where the archive ends.
    for (let i = 0; i < 5; i++) await sink.append(report(1000 + i));
    const live = await verifyAudit(sink);
    expect(live.ok, JSON.stringify(live.first_bad)).to.equal(true);
    // Archive + live, from genesis, as one chain.
    const all = await verifyChains(concat(archivedEntries(dir), sink.readRaw()));
    expect(all).to.deep.include({ ok: true, records: n + 5 });
    expect(states.at(-1)!.live).to.be.lessThan(4);
  });

  it('is re-runnable: a crash after the ledger moved but before the delete is finished by the next run', async () => {
    const sink = await open();
    for (let i = 1; i <= 12; i++) await sink.append(report(i));
    store.faults.push({ op: 'delete', kind: 'unavailable' });
    const first = await archive();
    expect(first.problems).to.have.length(1);
    expect(liveNames()).to.include(SEG(1));
    // Meanwhile the live view skips the exported segment and still verifies.
    expect(await verifyAudit(sink)).to.deep.include({ ok: true });
    const second = await archive();
    expect(second.problems).to.deep.equal([]);
    expect(liveNames()).to.not.include(SEG(1));
    expect(await verifyChains(concat(archivedEntries(dir), sink.readRaw()))).to.deep.include({
      ok: true,
      records: 12,
    });
  });

  it('leaves a tampered segment in place as evidence, archives nothing after it, and says why', async () => {
    const sink = await open();
    for (let i = 1; i <= 12; i++) await sink.append(report(i));
    store.edit(SEG(2), (t) => t.replace('"decision":"BLOCK"', '"decision":"ALLOW"'));
    const run = await archive();
    expect(run.archived).to.deep.equal([SEG(1)]);
    expect(run.problems).to.have.length(1);
    expect(run.problems[0]).to.deep.include({ writer: 'pod-a', segment: SEG(2) });
    expect(run.problems[0]!.problem).to.match(/does not continue the archived chain: .*hash mismatch/);
    expect(liveNames()).to.include(SEG(2));
  });

  it('never deletes what it could not archive: a failing target stops the writer before any delete', async () => {
    const sink = await open();
    for (let i = 1; i <= 12; i++) await sink.append(report(i));
    const before = liveNames();
    const failing: ArchiveTarget = {
      name: 'broken',
      put: async () => {
        throw new Error('disk full');
      },
    };
    const run = await archive([directoryArchive(dir), failing]);
    expect(run.archived).to.deep.equal([]);
    expect(run.problems[0]!.problem).to.equal('disk full');
    expect(liveNames()).to.deep.equal(before);
    expect((await readLedger(store)).entries.size).to.equal(0);
  });

  it('refuses to overwrite an archive copy that differs from the live segment', async () => {
    const sink = await open();
    for (let i = 1; i <= 12; i++) await sink.append(report(i));
    await archive();
    // Someone puts a different file where the next segment will go.
    const next = liveNames()[0]!;
    await writeFile(join(dir, 'pod-a', `${next}.jsonl`), 'forged\n');
    for (let i = 13; i <= 30; i++) await sink.append(report(i));
    const run = await archive();
    expect(run.problems[0]!.problem).to.match(/exists with other content/);
    expect(liveNames()).to.include(next);
  });
});
