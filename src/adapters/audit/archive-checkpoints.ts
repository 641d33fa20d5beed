// Which signed checkpoint goes into the archive with a sealed segment: the
// writer's checkpoint of exactly the segment's last record, signed at its
// seal and posted on the checkpoint board (audit-trees.ts). The archiver
// holds no key and checks no signature here: the auditor does that with the
// public key (`audit verify --archive DIR --key PUB`); a note that is not a
// checkpoint of this writer's origin at this size is simply not picked.
import { claimedCheckpoint } from '../../core/tlog/checkpoint.js';
import type { CheckpointBoard } from '../../core/ports/checkpoints.js';

export type SealCheckpoints = (writer: string, size: number) => string | undefined;

/** Reads the board once per archiver run; an unreadable board gives no checkpoints (the run goes on, etcd stays bounded). */
export async function sealCheckpoints(
  board: CheckpointBoard | undefined,
  onError: (e: unknown) => void,
): Promise<SealCheckpoints> {
  if (!board) return () => undefined;
  let entries: Awaited<ReturnType<CheckpointBoard['list']>> = [];
  try {
    entries = await board.list();
  } catch (e) {
    onError(e);
  }
  const byWriter = new Map<string, string[]>();
  for (const e of entries) byWriter.set(e.writer, [...(e.sealed ?? []), e.note]);
  return (writer, size) =>
    byWriter.get(writer)?.find((note) => {
      const c = claimedCheckpoint(note);
      return c !== undefined && c.size === size && c.origin.endsWith(`/${writer}`);
    });
}
