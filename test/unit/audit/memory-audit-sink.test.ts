import { expect } from 'chai';
import { verifyChains } from '../../../src/core/audit-record.js';
import type { GateError } from '../../../src/core/errors.js';
import { createMemoryAuditSink } from '../../support/memory-audit-sink.js';
import { report } from './report-fixture.js';

describe('memory audit sink (test support)', () => {
  it('chains records that verify, and exposes lines for tampering', async () => {
    const sink = createMemoryAuditSink('pod-t');
    await sink.append(report(1));
    await sink.append(report(2));
    expect(sink.records.map((r) => r.seq)).to.deep.equal([1, 2]);
    expect((await verifyChains(sink.readRaw())).ok).to.equal(true);
    sink.lines[0] = sink.lines[0]!.replace('req-1', 'req-9');
    expect((await verifyChains(sink.readRaw())).first_bad).to.include({ location: 'memory:1' });
  });

  it('failNext(n) rejects the next n appends with audit-unavailable and stores nothing', async () => {
    const sink = createMemoryAuditSink().failNext(2);
    expect(sink.health().ok).to.equal(false);
    for (let i = 0; i < 2; i += 1) {
      const e = await sink.append(report(i)).then(
        () => undefined,
        (err: unknown) => err as GateError,
      );
      expect(e?.code).to.equal('audit-unavailable');
    }
    expect((await sink.append(report(3))).seq).to.equal(1);
    expect(sink.records).to.have.length(1);
    expect(sink.health().ok).to.equal(true);
  });
});
