import { expect } from 'chai';
import { GroupCommitQueue, type FlushInfo } from '../../../src/adapters/audit/group-commit.js';
import { GateError } from '../../../src/core/errors.js';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('GroupCommitQueue', () => {
  it('flushes concurrent submits as one batch and resolves each with its result', async () => {
    const batches: number[][] = [];
    const q = new GroupCommitQueue<number, string>({
      lingerMs: 0,
      flush: async (items) => {
        batches.push(items);
        return items.map((i) => `r${i}`);
      },
    });
    const results = await Promise.all([1, 2, 3].map((i) => q.submit(i)));
    expect(results).to.deep.equal(['r1', 'r2', 'r3']);
    expect(batches).to.deep.equal([[1, 2, 3]]);
  });

  it('sends items arriving during a flush to the next batch, in order', async () => {
    const gate = deferred();
    const batches: number[][] = [];
    const q = new GroupCommitQueue<number, number>({
      lingerMs: 0,
      flush: async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate.promise;
        return items;
      },
    });
    const first = q.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [q.submit(2), q.submit(3)];
    expect(q.pending).to.equal(3);
    gate.resolve();
    expect(await Promise.all([first, ...later])).to.deep.equal([1, 2, 3]);
    expect(batches).to.deep.equal([[1], [2, 3]]);
  });

  it('lingers so that submits a moment apart share a batch', async () => {
    const batches: number[][] = [];
    const q = new GroupCommitQueue<number, number>({
      lingerMs: 30,
      flush: async (items) => {
        batches.push(items);
        return items;
      },
    });
    const a = q.submit(1);
    await new Promise((r) => setTimeout(r, 5));
    const b = q.submit(2);
    await Promise.all([a, b]);
    expect(batches).to.deep.equal([[1, 2]]);
  });

  it('rejects every item of a failed batch and keeps going', async () => {
    let fail = true;
    const infos: FlushInfo[] = [];
    const q = new GroupCommitQueue<number, number>({
      lingerMs: 0,
      onFlush: (i) => infos.push(i),
      flush: async (items) => {
        if (fail) {
          fail = false;
          throw new Error('EIO');
        }
        return items;
      },
    });
    const failed = await Promise.allSettled([q.submit(1), q.submit(2)]);
    for (const f of failed) {
      expect(f.status).to.equal('rejected');
      const reason = (f as PromiseRejectedResult).reason as GateError;
      expect(reason).to.be.instanceOf(GateError);
      expect(reason.code).to.equal('audit-unavailable');
      expect(reason.message).to.contain('EIO');
    }
    expect(await q.submit(3)).to.equal(3);
    expect(infos.map((i) => [i.items, i.error === undefined])).to.deep.equal([
      [2, false],
      [1, true],
    ]);
  });

  it('rejects at once when maxPending items are unresolved', async () => {
    const gate = deferred();
    const q = new GroupCommitQueue<number, number>({
      lingerMs: 0,
      maxPending: 2,
      flush: async (items) => {
        await gate.promise;
        return items;
      },
    });
    const held = [q.submit(1), q.submit(2)];
    let error: unknown;
    await q.submit(3).catch((e: unknown) => {
      error = e;
    });
    expect(error).to.be.instanceOf(GateError);
    expect((error as GateError).code).to.equal('audit-unavailable');
    expect((error as GateError).message).to.equal('audit queue full');
    gate.resolve();
    expect(await Promise.all(held)).to.deep.equal([1, 2]);
  });

  it('caps the batch size', async () => {
    const sizes: number[] = [];
    const q = new GroupCommitQueue<number, number>({
      lingerMs: 0,
      maxBatch: 2,
      flush: async (items) => {
        sizes.push(items.length);
        return items;
      },
    });
    await Promise.all([1, 2, 3, 4, 5].map((i) => q.submit(i)));
    expect(sizes).to.deep.equal([2, 2, 1]);
  });

  it('close() flushes what is queued (without waiting for the linger) and then rejects submits', async () => {
    const flushed: number[] = [];
    const q = new GroupCommitQueue<number, number>({
      lingerMs: 10_000,
      flush: async (items) => {
        flushed.push(...items);
        return items;
      },
    });
    const p = q.submit(1);
    await q.close();
    expect(await p).to.equal(1);
    expect(flushed).to.deep.equal([1]);
    let error: unknown;
    await q.submit(2).catch((e: unknown) => {
      error = e;
    });
    expect((error as GateError).code).to.equal('audit-unavailable');
  });

  it('rejects the batch when flush returns the wrong number of results', async () => {
    const q = new GroupCommitQueue<number, number>({ lingerMs: 0, flush: async () => [] });
    let error: unknown;
    await q.submit(1).catch((e: unknown) => {
      error = e;
    });
    expect((error as GateError).code).to.equal('internal');
  });
});
