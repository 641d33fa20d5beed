// Every replica's latest checkpoint in a ConfigMap of its own
// (`migration-gate-checkpoint-<writer>`, label migrationgate.io/audit-checkpoint),
// so any replica's status page and /api/v1/audit/checkpoint show every
// writer. Needs only the sink's verbs (get/list/create/update).
import type { CheckpointBoard, CheckpointBoardEntry } from '../../core/ports/checkpoints.js';
import type { ConfigMapStore } from '../../core/ports/configmaps.js';
import { isKubeError } from '../../core/ports/kube-errors.js';

const LABEL = 'migrationgate.io/audit-checkpoint';
const KEY = 'checkpoint.json';

export function configMapCheckpointBoard(store: ConfigMapStore): CheckpointBoard {
  return {
    async put(entry) {
      const name = `migration-gate-checkpoint-${entry.writer}`;
      const data = { [KEY]: JSON.stringify(entry) };
      try {
        const cm = await store.get(name);
        await store.replace({ ...cm, data });
      } catch (e) {
        if (!isKubeError(e, 'not-found')) throw e;
        await store.create({ name, labels: { [LABEL]: 'true' }, annotations: {}, data, immutable: false });
      }
    },
    async list() {
      const out: CheckpointBoardEntry[] = [];
      for (const cm of await store.list(`${LABEL}=true`)) {
        try {
          const v = JSON.parse(cm.data[KEY] ?? '') as CheckpointBoardEntry;
          if (typeof v.writer === 'string' && typeof v.note === 'string' && typeof v.signed_at === 'string') {
            // Anything but a list of notes is dropped: the archiver reads it without further checks of shape.
            if (
              v.sealed !== undefined &&
              !(Array.isArray(v.sealed) && v.sealed.every((n) => typeof n === 'string'))
            )
              delete v.sealed;
            out.push(v);
          }
        } catch {
          // Unreadable: not shown (the board is a convenience; verification does not rest on it).
        }
      }
      return out;
    },
  };
}
