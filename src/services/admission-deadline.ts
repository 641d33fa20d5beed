// Promise.race against a timer, with an AbortSignal so the losing work can
// stop (T2 streams honour it). Never hangs: whichever comes first settles it,
// and a late rejection of the abandoned work is swallowed, not unhandled.

export type Raced<T> = { done: true; value: T } | { done: false };

export async function raceDeadline<T>(work: (signal: AbortSignal) => Promise<T> | T, ms: number): Promise<Raced<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Raced<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, ms));
  });
  const running = Promise.resolve().then(() => work(controller.signal));
  running.catch(() => undefined);
  try {
    const result = await Promise.race([running.then((value): Raced<T> => ({ done: true, value })), expired]);
    if (!result.done) controller.abort(new Error(`deadline of ${Math.round(ms)} ms exceeded`));
    return result;
  } finally {
    clearTimeout(timer);
  }
}
