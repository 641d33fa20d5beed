// Racing work against a timer. Never hangs: whichever comes first settles
// it, and a late rejection of the abandoned work is swallowed, not unhandled.

export type Raced<T> = { done: true; value: T } | { done: false };

/** `work` may stop early: its signal aborts when the deadline wins (T2 streams honour it). */
export async function raceDeadline<T>(
  work: (signal: AbortSignal) => Promise<T> | T,
  ms: number,
): Promise<Raced<T>> {
  const controller = new AbortController();
  const raced = await raceTimer(
    Promise.resolve().then(() => work(controller.signal)),
    ms,
  );
  if (!raced.done) controller.abort(new Error(`deadline of ${Math.round(ms)} ms exceeded`));
  return raced;
}

/**
 * The same race for work that cannot be stopped (an audit write already
 * handed to the sink): no AbortController, which was a measurable share of
 * every admission.
 */
export function raceTimer<T>(running: Promise<T>, ms: number): Promise<Raced<T>> {
  running.catch(() => undefined);
  return new Promise<Raced<T>>((resolve, reject) => {
    const timer = setTimeout(() => resolve({ done: false }), Math.max(0, ms));
    running.then(
      (value) => {
        clearTimeout(timer);
        resolve({ done: true, value });
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
