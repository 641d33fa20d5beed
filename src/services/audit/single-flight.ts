// One run of some work at a time: callers that arrive while it runs share
// its promise instead of starting another. Nothing is remembered once a run
// settles (caching is the caller's business), so a failed run is never
// handed to a later caller.
const ignore = (): void => undefined;

export class SingleFlight<T> {
  #running: Promise<T> | undefined;

  constructor(private readonly work: () => Promise<T>) {}

  /** A run is under way. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  /** Joins the run under way, or starts one. */
  run(): Promise<T> {
    if (this.#running) return this.#running;
    // Cleared before anyone awaiting `running` resumes: a caller that reacts
    // to its end by calling run() starts a new run instead of rejoining it.
    const running = this.work().finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  /** A run that starts no earlier than this call: waits out the one under way, then joins or starts the next. */
  async next(): Promise<T> {
    const under = this.#running;
    if (under) await under.then(ignore, ignore);
    return this.run();
  }

  /** Resolves once no run is under way. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running.then(ignore, ignore);
  }
}
