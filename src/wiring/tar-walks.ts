// The gate's tar-walk pool (adapters/workers/) with its worker script
// (tar-walk-worker.ts beside this file, which brings the native checksums),
// for the composition roots (app.ts, the CLI's local gate).
import { createTarWalkPool, type TarWalkPool } from '../adapters/workers/tar-walk-pool.js';

const HERE = import.meta.url;

/** Under tsx (tests, a checkout) this file is .ts and so is its sibling. */
export function tarWalkWorkerUrl(): URL {
  return new URL(HERE.endsWith('.ts') ? './tar-walk-worker.ts' : './tar-walk-worker.js', HERE);
}

export function createGateTarWalks(): TarWalkPool {
  return createTarWalkPool({ workerUrl: tarWalkWorkerUrl() });
}
