// The messages between the tar-walk pool (main thread) and its workers.
// Main → worker: a job, its bytes chunk by chunk, then the end (or the read
// error). Worker → main: ready once loaded, an ack per chunk consumed (the
// credit that bounds what is in flight), the walk when done.
import type { TarJob, TarWalk } from '../../core/replication/tar-walk.js';

export type ToWorker =
  | { t: 'job'; id: number; job: TarJob; sourceName: string; size?: number }
  | { t: 'chunk'; id: number; bytes: Uint8Array }
  | { t: 'end'; id: number }
  | { t: 'fail'; id: number; message: string };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'ack'; id: number; bytes: number; compressed: number }
  | { t: 'done'; id: number; walk: TarWalk };
