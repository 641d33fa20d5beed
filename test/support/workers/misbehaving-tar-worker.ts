// A tar-walk worker that misbehaves as MISBEHAVE (workerData) says, for the
// pool's fail-closed tests: `crash` exits on the first chunk, `stall` takes
// the chunks and never answers, `throw-at-load` fails before it is ready.
import { parentPort, workerData } from 'node:worker_threads';

const how = (workerData as { misbehave: string }).misbehave;
if (how === 'throw-at-load') throw new Error('this worker cannot load');
parentPort!.on('message', (m: { t: string }) => {
  if (m.t === 'chunk' && how === 'crash') process.exit(7);
});
parentPort!.postMessage({ t: 'ready' });
