// T2 baseline: stream the file through zlib.createGunzip() and discard.
// Usage: node --import tsx test/bench/workers/t2-gunzip.ts <snapshot.tar.gz>
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { report, startClock } from './t2-common.js';

const path = process.argv[2];
if (!path) throw new Error('usage: t2-gunzip.ts <snapshot.tar.gz>');
let compressedBytes = 0;
let uncompressedBytes = 0;
const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
source.on('data', (c) => {
  compressedBytes += c.length;
});
const clock = startClock();
await pipeline(
  source,
  createGunzip(),
  new Writable({
    write(chunk: Buffer, _enc, cb): void {
      uncompressedBytes += chunk.length;
      cb();
    },
  }),
);
report({ ...clock(), compressedBytes, uncompressedBytes });
