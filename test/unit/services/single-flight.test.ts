// SingleFlight: one run at a time, shared by whoever arrives during it, and
// nothing remembered after it settles (a failure included).
import { expect } from 'chai';
import { SingleFlight } from '../../../src/services/audit/single-flight.js';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('shares one run among callers that arrive during it, and starts a new one after', async () => {
    const runs: Array<ReturnType<typeof deferred<number>>> = [];
    const flight = new SingleFlight(() => {
      const d = deferred<number>();
      runs.push(d);
      return d.promise;
    });
    const a = flight.run();
    const b = flight.run();
    expect(runs).to.have.length(1);
    expect(flight.busy).to.equal(true);
    runs[0]!.resolve(1);
    expect(await Promise.all([a, b])).to.deep.equal([1, 1]);
    expect(flight.busy).to.equal(false);
    const c = flight.run();
    expect(runs).to.have.length(2);
    runs[1]!.resolve(2);
    expect(await c).to.equal(2);
  });

  it('hands a failure to the callers of that run only', async () => {
    const runs: Array<ReturnType<typeof deferred<number>>> = [];
    const flight = new SingleFlight(() => {
      const d = deferred<number>();
      runs.push(d);
      return d.promise;
    });
    const a = flight.run();
    runs[0]!.reject(new Error('read failed'));
    await a.then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e.message).to.equal('read failed'),
    );
    const b = flight.run();
    expect(runs).to.have.length(2);
    runs[1]!.resolve(3);
    expect(await b).to.equal(3);
  });

  it('next() waits out the run under way and shares one new run among its callers', async () => {
    const runs: Array<ReturnType<typeof deferred<number>>> = [];
    const flight = new SingleFlight(() => {
      const d = deferred<number>();
      runs.push(d);
      return d.promise;
    });
    const first = flight.run();
    const later = [flight.next(), flight.next(), flight.next()];
    expect(runs).to.have.length(1);
    runs[0]!.reject(new Error('first failed'));
    await first.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs, 'one new run for the three callers').to.have.length(2);
    runs[1]!.resolve(4);
    expect(await Promise.all(later)).to.deep.equal([4, 4, 4]);
    expect(runs).to.have.length(2);
    await flight.idle();
    expect(flight.busy).to.equal(false);
  });
});
