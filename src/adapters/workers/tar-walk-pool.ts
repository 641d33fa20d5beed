// Walks the tars of a native backup on the machine's cores (the core's
// TarWalkRunner port; wired by the composition root): one tar at a time in
// this thread, each further tar walked meanwhile in a worker thread of a
// pool of (cores - 1), so with 2 cores two tars are decoded and hashed at
// once and a single-tar backup pays no thread start-up nor copy. (Every
// thread is a V8 heap of its own, with its own garbage: more threads than
// cores would buy nothing and cost memory.) For a worker's tar the main
// thread only reads the bytes and hands them over:
// a chunk that owns its whole ArrayBuffer (fs streams' do) is transferred,
// others are copied, and at most `inFlightBytes` (4 MiB) are unacknowledged per tar,
// so memory stays bounded whatever the tar's size.
//
// Fail closed: a worker that dies, runs out of memory or stops answering
// for `stallMs` is terminated and its tar is refused (internal-error, with
// the reason); an abort terminates it too. Only a worker that cannot even
// start (before any byte was read) falls back to walking in this thread:
// the verification is the same code either way, only slower.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ByteSource } from '../../core/ports/artifacts.js';
import { abortFinding, releaseIterator } from '../../core/replication/abort.js';
import { blockFinding, safeName } from '../../core/replication/findings.js';
import {
  failedWalk,
  walkTarHere,
  type TarJob,
  type TarWalk,
  type TarWalkOptions,
  type TarWalkRunner,
} from '../../core/replication/tar-walk.js';
import type { FromWorker, ToWorker } from './tar-walk-protocol.js';

export interface TarWalkPoolOptions {
  /** Threads at most, this one included (default: the machine's cores). */
  size?: number;
  /** A worker silent this long while it holds a tar is stopped and the tar refused (default 60 s). */
  stallMs?: number;
  /** A worker not ready this long is given up (its tar walked in this thread; default 30 s). */
  startMs?: number;
  /** Unacknowledged bytes per tar (default 4 MiB). */
  inFlightBytes?: number;
  /** Walk one tar at a time in this thread (default true; false: every tar in a worker, `size` of them). */
  inThisThread?: boolean;
  /** The worker script (src/wiring/tar-walk-worker.ts; tests substitute a misbehaving one) and its workerData. */
  workerUrl: URL;
  workerData?: unknown;
}

export interface TarWalkPool {
  run: TarWalkRunner;
  /** Threads at most, this one included: how many tars it walks at once. */
  size: number;
  /** Starts the workers now (a server at boot; a benchmark before timing) rather than at the first tar. */
  warm(): Promise<void>;
  /** Stops every worker. */
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  ready: Promise<string | undefined>;
}

function execArgvFor(url: URL): string[] {
  const argv = [...process.execArgv];
  if (url.pathname.endsWith('.ts') && !argv.some((a) => a.includes('tsx')))
    argv.push('--import', import.meta.resolve('tsx'));
  return argv;
}

export function createTarWalkPool(options: TarWalkPoolOptions): TarWalkPool {
  const size = Math.max(1, options.size ?? availableParallelism());
  const stallMs = options.stallMs ?? 60_000;
  const startMs = options.startMs ?? 30_000;
  const inFlight = options.inFlightBytes ?? 4 * 1024 * 1024;
  const url = options.workerUrl;
  const inThisThread = options.inThisThread ?? true;
  const workers = inThisThread ? size - 1 : size;
  let hereBusy = false;
  const idle: Slot[] = [];
  const all = new Set<Slot>();
  const waiting: ((s: Slot) => void)[] = [];
  let seq = 0;
  let closed = false;

  function spawn(): Slot {
    const worker = new Worker(url, {
      execArgv: execArgvFor(url),
      ...(options.workerData !== undefined ? { workerData: options.workerData } : {}),
    });
    worker.unref();
    const ready = new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(`it did not start within ${startMs} ms`), startMs);
      timer.unref();
      const done = (why: string | undefined): void => {
        clearTimeout(timer);
        worker.off('message', onMsg);
        worker.off('error', onErr);
        worker.off('exit', onExit);
        resolve(why);
      };
      const onMsg = (m: FromWorker): void => {
        if (m.t === 'ready') done(undefined);
      };
      const onErr = (e: Error): void => done(`it failed to start: ${e.message.slice(0, 200)}`);
      const onExit = (code: number): void => done(`it exited with code ${code} while starting`);
      worker.on('message', onMsg);
      worker.on('error', onErr);
      worker.on('exit', onExit);
    });
    const slot = { worker, ready };
    all.add(slot);
    return slot;
  }

  function acquire(): Promise<Slot> {
    const s = idle.pop();
    if (s) return Promise.resolve(s);
    if (all.size < workers) return Promise.resolve(spawn());
    return new Promise((resolve) => waiting.push(resolve));
  }

  function release(s: Slot, healthy: boolean): void {
    if (!healthy) {
      all.delete(s);
      void s.worker.terminate();
    }
    const next = waiting.shift();
    if (!next) {
      if (healthy) idle.push(s);
      return;
    }
    next(healthy ? s : spawn());
  }

  const here: TarWalkRunner = async (job, source, opts) => {
    hereBusy = true;
    try {
      return await walkTarHere(job, source, opts);
    } finally {
      hereBusy = false;
    }
  };

  const run: TarWalkRunner = async (job, source, opts) => {
    if (closed || workers === 0 || (inThisThread && !hereBusy)) return here(job, source, opts);
    const slot = await acquire();
    const startFailure = await slot.ready;
    if (startFailure !== undefined) {
      release(slot, false);
      return walkTarHere(job, source, opts);
    }
    slot.worker.ref();
    const r = await drive(slot.worker, ++seq, job, source, opts, { stallMs, inFlight });
    slot.worker.unref();
    release(slot, r.healthy);
    return r.walk;
  };

  return {
    run,
    size,
    warm: async () => {
      const started: Slot[] = [];
      while (all.size < workers) started.push(spawn());
      await Promise.all(started.map((s) => s.ready));
      idle.push(...started);
    },
    close: async () => {
      closed = true;
      await Promise.all([...all].map((s) => s.worker.terminate()));
      all.clear();
      idle.length = 0;
    },
  };
}

/** Exactly its own bytes: safe to transfer (a ByteSource hands its chunks over). */
function transferable(c: Uint8Array): boolean {
  const b = c.buffer;
  return b instanceof ArrayBuffer && c.byteOffset === 0 && c.byteLength === b.byteLength;
}

/** One tar through one worker: feed its bytes with credit, wait for the walk, never hang. */
async function drive(
  worker: Worker,
  id: number,
  job: TarJob,
  source: ByteSource,
  opts: TarWalkOptions,
  cfg: { stallMs: number; inFlight: number },
): Promise<{ walk: TarWalk; healthy: boolean }> {
  let outcome: { walk: TarWalk; healthy: boolean } | undefined;
  let settle!: () => void;
  const settled = new Promise<void>((r) => (settle = r));
  let unacked = 0;
  let credit: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const finish = (o: { walk: TarWalk; healthy: boolean }): void => {
    if (outcome) return;
    outcome = o;
    clearTimeout(timer);
    settle();
    credit?.();
  };
  const refuse = (why: string): void =>
    finish({
      walk: failedWalk(
        blockFinding('internal-error', `verifying ${safeName(job.name)}: the worker thread ${why}`),
      ),
      healthy: false,
    });
  const watchdog = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => refuse(`did not answer for ${cfg.stallMs} ms`), cfg.stallMs);
  };
  let endSent = false;
  const onMsg = (m: FromWorker): void => {
    if (m.t === 'ready' || m.id !== id) return;
    if (m.t === 'ack') {
      unacked -= m.bytes;
      // Silence is a stall only while the worker holds bytes (a slow sender is not its fault).
      if (unacked > 0 || endSent) watchdog();
      else clearTimeout(timer);
      opts.onBytes?.(m.compressed);
      if (unacked < cfg.inFlight) credit?.();
    } else finish({ walk: m.walk, healthy: true });
  };
  const onErr = (e: Error): void => refuse(`failed: ${e.message.slice(0, 200)}`);
  const onExit = (code: number): void => refuse(`exited with code ${code}`);
  const onAbort = (): void => finish({ walk: failedWalk(abortFinding(opts.signal!)), healthy: false });
  worker.on('message', onMsg);
  worker.on('error', onErr);
  worker.on('exit', onExit);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  const send = (m: ToWorker, transfer?: ArrayBuffer): void =>
    transfer ? worker.postMessage(m, [transfer]) : worker.postMessage(m);
  const it = source.stream[Symbol.asyncIterator]();
  let drained = false;
  try {
    send({
      t: 'job',
      id,
      job,
      sourceName: source.name,
      ...(source.size !== undefined ? { size: source.size } : {}),
    });
    while (!outcome) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await Promise.race([it.next(), settled.then(() => ({ done: true, value: undefined }) as const)]);
      } catch (e) {
        drained = true;
        endSent = true;
        send({ t: 'fail', id, message: (e instanceof Error ? e.message : String(e)).slice(0, 200) });
        watchdog();
        break;
      }
      if (outcome) break;
      if (r.done) {
        drained = true;
        endSent = true;
        send({ t: 'end', id });
        watchdog();
        break;
      }
      const chunk = r.value;
      unacked += chunk.byteLength;
      // A view into a larger buffer is copied (cloning it would copy the whole buffer).
      const bytes = transferable(chunk) ? chunk : new Uint8Array(chunk);
      send({ t: 'chunk', id, bytes }, bytes.buffer as ArrayBuffer);
      watchdog();
      while (unacked >= cfg.inFlight && !outcome) await new Promise<void>((res) => (credit = res));
      credit = undefined;
    }
    await settled;
  } finally {
    if (!drained) releaseIterator(it);
    worker.off('message', onMsg);
    worker.off('error', onErr);
    worker.off('exit', onExit);
    opts.signal?.removeEventListener('abort', onAbort);
    clearTimeout(timer);
  }
  return outcome!;
}
