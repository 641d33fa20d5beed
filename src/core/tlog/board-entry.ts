// A checkpoint board entry as a store hands it back (ConfigMap data, a
// PostgreSQL row): JSON that must have the entry's shape, or it is not shown.
// The board is a convenience (what is read back is signature-checked before
// use); this only keeps a wrong shape from reaching code that trusts it.
import type { CheckpointBoardEntry } from '../ports/checkpoints.js';

export function parseBoardEntry(text: string): CheckpointBoardEntry | undefined {
  let v: CheckpointBoardEntry;
  try {
    v = JSON.parse(text) as CheckpointBoardEntry;
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  if (typeof v.writer !== 'string' || typeof v.note !== 'string' || typeof v.signed_at !== 'string')
    return undefined;
  // Anything but a list of notes is dropped: the archiver reads it without further checks of shape.
  if (v.sealed !== undefined && !(Array.isArray(v.sealed) && v.sealed.every((n) => typeof n === 'string')))
    delete v.sealed;
  return v;
}
