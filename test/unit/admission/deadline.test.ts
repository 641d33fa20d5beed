import { expect } from 'chai';
import { admissionBudget, parseGoDuration } from '../../../src/core/admission/deadline.js';
import { raceDeadline, raceTimer } from '../../../src/services/admission/deadline.js';

describe('admission deadline', () => {
  it('parses the Go durations the apiserver appends', () => {
    expect(parseGoDuration('10s')).to.equal(10_000);
    expect(parseGoDuration('30s')).to.equal(30_000);
    expect(parseGoDuration('1m0s')).to.equal(60_000);
    expect(parseGoDuration('1.5s')).to.equal(1500);
    expect(parseGoDuration('500ms')).to.equal(500);
    for (const bad of ['', '10', 's', '10x', '-1s', '10s;', '1e3s'])
      expect(parseGoDuration(bad), bad).to.equal(undefined);
  });

  it('decides 1.5 s before the timeout and answers 0.5 s before it', () => {
    expect(admissionBudget('10s', 10)).to.deep.equal({
      timeoutMs: 10_000,
      decideByMs: 8_500,
      answerByMs: 9_500,
    });
  });

  it('keeps half of a short timeout for the work', () => {
    const b = admissionBudget('2s', 10);
    expect(b.decideByMs).to.equal(1000);
    expect(b.answerByMs).to.equal(1500);
    expect(admissionBudget('1s', 10).decideByMs).to.equal(500);
  });

  it('falls back to the configured timeout and caps at 30 s', () => {
    expect(admissionBudget(null, 12).timeoutMs).to.equal(12_000);
    expect(admissionBudget('garbage', 5).timeoutMs).to.equal(5_000);
    expect(admissionBudget('0s', 5).timeoutMs).to.equal(5_000);
    expect(admissionBudget('10m', 5).timeoutMs).to.equal(30_000);
  });

  describe('raceDeadline', () => {
    it('returns the value of work that finishes in time', async () => {
      expect(await raceDeadline(async () => 42, 1000)).to.deep.equal({ done: true, value: 42 });
    });

    it('gives up on slow work at the deadline, never hangs, and aborts it', async () => {
      let aborted = false;
      // Work that never settles: that the race answers at all is the deadline's doing (no clock read here).
      const r = await raceDeadline(
        (signal) =>
          new Promise<number>(() => {
            signal.addEventListener('abort', () => {
              aborted = true;
            });
          }),
        50,
      );
      expect(r).to.deep.equal({ done: false });
      expect(aborted).to.equal(true);
    });

    it('propagates a failure that happens in time, swallows one that happens late', async () => {
      let caught: unknown;
      try {
        await raceDeadline(async () => {
          throw new Error('boom');
        }, 1000);
      } catch (e) {
        caught = e;
      }
      expect(String(caught)).to.contain('boom');
      const late = await raceDeadline(
        () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 30)),
        5,
      );
      expect(late.done).to.equal(false);
      await new Promise((r) => setTimeout(r, 60)); // an unhandled rejection would fail the run here
    });
  });

  describe('raceTimer (work that cannot be stopped)', () => {
    it('returns a value in time, gives up at the deadline, and leaves no timer behind', async () => {
      expect(await raceTimer(Promise.resolve('ok'), 1000)).to.deep.equal({ done: true, value: 'ok' });
      // Never settles: only the timer can answer.
      const never = new Promise<string>(() => undefined);
      expect(await raceTimer(never, 30)).to.deep.equal({ done: false });
    });

    it('propagates an early failure and swallows a late one', async () => {
      let caught: unknown;
      try {
        await raceTimer(Promise.reject(new Error('boom')), 1000);
      } catch (e) {
        caught = e;
      }
      expect(String(caught)).to.contain('boom');
      const late = await raceTimer(
        new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 30)),
        5,
      );
      expect(late.done).to.equal(false);
      await new Promise((r) => setTimeout(r, 60)); // an unhandled rejection would fail the run here
    });
  });
});
