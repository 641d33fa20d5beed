// T2 measurement: verifyReplication over a file ByteSource (1 MiB reads),
// default limits, no WAL, no-op policies. Fails loudly unless nothing blocks.
// Usage: node --import tsx test/bench/workers/t2-verify.ts <snapshot.tar.gz> <replication_manifest.yaml>
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { DEFAULT_REPLICATION_LIMITS, verifyReplication } from '../../../src/core/replication/pipeline.js';
import { report, startClock } from './t2-common.js';

const [snapshotPath, manifestPath] = process.argv.slice(2);
if (!snapshotPath || !manifestPath)
  throw new Error('usage: t2-verify.ts <snapshot.tar.gz> <replication_manifest.yaml>');
const manifestBytes = readFileSync(manifestPath);
const size = statSync(snapshotPath).size;
let compressedBytes = 0;
const clock = startClock();
const evaluation = await verifyReplication({
  manifestBytes,
  snapshot: {
    stream: createReadStream(snapshotPath, { highWaterMark: 1024 * 1024 }),
    size,
    name: snapshotPath,
  },
  wal: (async function* () {
    /* no WAL: sync_mode async */
  })(),
  keys: [],
  limits: { ...DEFAULT_REPLICATION_LIMITS },
  policies: () => [],
  onProgress: (n) => {
    compressedBytes = n;
  },
});
const time = clock();
const blocking = evaluation.findings.filter((f) => f.action === 'block');
const steps = evaluation.steps.map((s) => `${s.step}:${s.status}`);
if (blocking.length > 0 || compressedBytes !== size) {
  process.stderr.write(
    `verification did not pass: ${JSON.stringify({ steps: evaluation.steps, blocking }, null, 1)}\n`,
  );
  process.exit(1);
}
report({ ...time, compressedBytes, steps, detail: evaluation.steps.map((s) => s.detail).filter(Boolean) });
