// A worker thread of the tar-walk pool (adapters/workers/tar-walk-pool.ts),
// its own composition root: walks the tars it is sent, one at a time, with
// the core's own walk (walkTarHere) and the native checksums, so a tar
// verified here is verified exactly as in the main thread. Its bytes arrive as messages; each
// chunk is acknowledged once the walk has taken it, which is what lets the
// main thread send the next one (bounded memory).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { nodeRsChecksums } from '../adapters/checksums/node-rs-crc32c.js';
import type { FromWorker, ToWorker } from '../adapters/workers/tar-walk-protocol.js';
import { walkTarHere } from '../core/replication/tar-walk.js';

const port = parentPort!;
const checksums = nodeRsChecksums();

/**
 * A young-generation collection every few chunks. The chunks and the
 * decoders' output are large buffers behind small objects: V8 collects
 * them only when its young heap fills, which these few objects rarely do,
 * so without this a worker held ~100 MB of dead buffers (peak RSS past
 * 250 MB for two tars at once; 160-190 MB with it, every 2 chunks). A minor GC costs well
 * under a millisecond here.
 */
const minorGc = ((): (() => void) | undefined => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (o: { type: 'minor' }) => void;
    return () => gc({ type: 'minor' });
  } catch {
    return undefined;
  }
})();
const GC_EVERY_CHUNKS = 2;
let acks = 0;
const post = (m: FromWorker): void => port.postMessage(m);

interface Feed {
  id: number;
  queue: Uint8Array[];
  ended: boolean;
  failure?: string;
  wake?: () => void;
}

let feed: Feed | undefined;

async function* bytes(f: Feed, id: number, compressed: () => number): AsyncGenerator<Uint8Array> {
  for (;;) {
    const next = f.queue.shift();
    if (next) {
      yield next;
      // The walk asked for the next chunk: this one has been taken.
      post({ t: 'ack', id, bytes: next.byteLength, compressed: compressed() });
      if (minorGc && ++acks % GC_EVERY_CHUNKS === 0) minorGc();
      continue;
    }
    if (f.failure !== undefined) throw new Error(f.failure);
    if (f.ended) return;
    await new Promise<void>((r) => (f.wake = r));
    f.wake = undefined;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'job') {
    const f: Feed = { id: m.id, queue: [], ended: false };
    feed = f;
    let compressed = 0;
    void walkTarHere(
      m.job,
      {
        stream: bytes(f, m.id, () => compressed),
        name: m.sourceName,
        ...(m.size !== undefined ? { size: m.size } : {}),
      },
      { onBytes: (n) => (compressed = n), ...(checksums ? { checksums } : {}) },
    ).then((walk) => {
      feed = undefined;
      post({ t: 'done', id: m.id, walk });
    });
    return;
  }
  const f = feed;
  // Chunks of a walk that already ended (it refused the tar early) are dropped.
  if (f?.id !== m.id) return;
  if (m.t === 'chunk') f.queue.push(m.bytes);
  else if (m.t === 'end') f.ended = true;
  else f.failure = m.message;
  f.wake?.();
});

post({ t: 'ready' });
