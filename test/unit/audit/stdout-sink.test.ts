import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { createStdoutAuditSink, type LineWritable } from '../../../src/adapters/audit/stdout-sink.js';
import { verifyChains } from '../../../src/core/audit-record.js';
import type { GateError } from '../../../src/core/errors.js';
import { report } from './report-fixture.js';

describe('stdout audit sink', () => {
  it('writes one chained JSON line per record, batched, and keeps no history', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    const sink = createStdoutAuditSink({ writer: 'pod-a-1', stream: out });
    const records = await Promise.all([1, 2, 3].map((n) => sink.append(report(n))));
    expect(records.map((r) => r.seq)).to.deep.equal([1, 2, 3]);
    const lines = text.trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).to.deep.equal([1, 2, 3]);
    const v = await verifyChains(lines.map((l, i) => ({ location: `stdout:${i + 1}`, text: l })));
    expect(v.ok).to.equal(true);
    expect(await verifyChains(sink.readRaw())).to.deep.equal({ ok: true, records: 0, writers: [] });
    expect(sink.health().ok).to.equal(true);
    await sink.close();
    expect(sink.health().ok).to.equal(false);
  });

  it('rejects when the stream write fails, reports it in health, and does not advance the chain', async () => {
    let fail = true;
    // A real Writable is destroyed after its first error; a fake lets the
    // test show that the chain does not advance past a failed write.
    const stream: LineWritable = {
      write(_chunk, cb) {
        queueMicrotask(() => cb(fail ? new Error('EPIPE') : null));
        return true;
      },
    };
    const sink = createStdoutAuditSink({ writer: 'w', stream });
    let error: unknown;
    await sink.append(report(1)).catch((e: unknown) => {
      error = e;
    });
    expect((error as GateError).code).to.equal('audit-unavailable');
    expect(sink.health().ok).to.equal(false);
    fail = false;
    expect((await sink.append(report(2))).seq).to.equal(1);
    expect(sink.health().ok).to.equal(true);
    await sink.close();
  });
});
