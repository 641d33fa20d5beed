// Every replica's latest checkpoint in a ConfigMap of its own
// (`migration-gate-checkpoint-<writer>`, label migrationgate.io/audit-checkpoint),
// so any replica's status page and /api/v1/audit/checkpoint show every
// writer. Needs only the sink's verbs (get/list/create/update).
import type { CheckpointBoard, CheckpointBoardEntry } from '../../core/ports/checkpoints.js';
import type { ConfigMapStore } from '../../core/ports/configmaps.js';
import { isKubeError } from '../../core/ports/kube-errors.js';
import { parseBoardEntry } from '../../core/tlog/board-entry.js';

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
        // Unreadable: not shown (the board is a convenience; verification does not rest on it).
        const entry = parseBoardEntry(cm.data[KEY] ?? '');
        if (entry) out.push(entry);
      }
      return out;
    },
  };
}
